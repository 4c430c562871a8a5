import type { OperationKind, SiteType } from './operation';

/** Every step an operation can contain, with the sentence the dashboard shows for it. */
export const STEP_TITLES = {
  'orchestrator.build_image': "Build the site's image",
  'orchestrator.ensure_site': 'Prepare the site files, container and route on the orchestrator',
  'router.ensure_routes': "Route the site's hostnames at the edge",
  'orchestrator.restart_site': 'Restart the site',
  'router.remove_routes': "Stop routing the site's hostnames",
  'orchestrator.remove_site': "Remove the site's container, route and files from the orchestrator",
  'orchestrator.ensure_database': 'Create the database and its user (or set the new password)',
  'orchestrator.drop_database': 'Drop the database and its user',
} as const;

/** Name of one step, as stored with the operation. */
export type StepName = keyof typeof STEP_TITLES;

/** What decides a site's steps besides the kind of operation. */
export interface StepContext {
  type: SiteType;
  hasDatabase: boolean;
}

/**
 * The ordered steps of an operation. Creation and updates bring the site to its full desired
 * state (a dynamic site's image first); deletion stops traffic at the edge before removing
 * anything; a database is created before the container is told about it, and the container
 * forgets it before it is dropped.
 */
export function stepsFor(kind: OperationKind, site: StepContext): StepName[] {
  const converge: StepName[] = ['orchestrator.ensure_site', 'router.ensure_routes'];
  switch (kind) {
    case 'create_site':
    case 'update_site':
      return site.type === 'dynamic' ? ['orchestrator.build_image', ...converge] : converge;
    case 'repair_site':
      // Everything the site is made of, again: its database first, so the container gets it.
      return [
        ...(site.hasDatabase ? (['orchestrator.ensure_database'] as const) : []),
        ...(site.type === 'dynamic' ? (['orchestrator.build_image'] as const) : []),
        ...converge,
      ];
    case 'restart_site':
      return ['orchestrator.restart_site'];
    case 'delete_site':
      return ['router.remove_routes', 'orchestrator.remove_site', ...(site.hasDatabase ? (['orchestrator.drop_database'] as const) : [])];
    case 'create_database':
    case 'rotate_database_password':
      return ['orchestrator.ensure_database', 'orchestrator.ensure_site'];
    case 'delete_database':
      return ['orchestrator.ensure_site', 'orchestrator.drop_database'];
  }
}

/** Narrows a stored step name to a known one. */
export function isStepName(name: string): name is StepName {
  return Object.hasOwn(STEP_TITLES, name);
}

/** Rows for a new operation's steps, in order. */
export function stepRowsFor(kind: OperationKind, site: StepContext): { position: number; name: StepName }[] {
  return stepsFor(kind, site).map((name, position) => ({ position, name }));
}
