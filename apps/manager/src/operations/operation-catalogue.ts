import type { OperationKind } from '../generated/prisma/enums';

/** Every step an operation can contain, with the sentence the dashboard shows for it. */
export const STEP_TITLES = {
  'orchestrator.ensure_site': 'Prepare the site files and route on the orchestrator',
  'router.ensure_routes': "Route the site's hostnames at the edge",
  'router.remove_routes': "Stop routing the site's hostnames",
  'orchestrator.remove_site': "Remove the site's route and files from the orchestrator",
} as const;

/** Name of one step, as stored with the operation. */
export type StepName = keyof typeof STEP_TITLES;

/**
 * The ordered steps of each kind of operation. Creation makes the site exist before the edge
 * routes to it; deletion stops traffic at the edge before removing anything.
 */
export const OPERATION_STEPS: Readonly<Record<OperationKind, readonly StepName[]>> = {
  create_site: ['orchestrator.ensure_site', 'router.ensure_routes'],
  delete_site: ['router.remove_routes', 'orchestrator.remove_site'],
};

/** Narrows a stored step name to a known one. */
export function isStepName(name: string): name is StepName {
  return Object.hasOwn(STEP_TITLES, name);
}

/** Rows for a new operation's steps, in order. */
export function stepRowsFor(kind: OperationKind): { position: number; name: StepName }[] {
  return OPERATION_STEPS[kind].map((name, position) => ({ position, name }));
}
