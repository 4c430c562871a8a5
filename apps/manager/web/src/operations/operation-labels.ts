import type { OperationView } from '../api/types';

type OperationKind = OperationView['kind'];
type StepState = OperationView['steps'][number]['state'];

/** What each kind of operation does, in the words of the person who asked for it. */
export const OPERATION_TITLES: Readonly<Record<OperationKind, string>> = {
  create_site: 'Create the site',
  update_site: 'Apply changes to the site',
  repair_site: 'Repair the site',
  restart_site: 'Restart the site',
  delete_site: 'Delete the site',
  create_database: 'Create the database',
  rotate_database_password: 'Change the database password',
  delete_database: 'Delete the database',
};

/** What each kind of operation is doing while it runs ("Creating the site…"). */
export const OPERATION_RUNNING_LABELS: Readonly<Record<OperationKind, string>> = {
  create_site: 'Creating the site',
  update_site: 'Applying the changes',
  repair_site: 'Repairing the site',
  restart_site: 'Restarting the site',
  delete_site: 'Deleting the site',
  create_database: 'Creating the database',
  rotate_database_password: 'Changing the database password',
  delete_database: 'Deleting the database',
};

/** Whether an operation is still under way (its outcome not known yet). */
export function isUnderWay(operation: OperationView | null | undefined): boolean {
  return operation?.state === 'pending' || operation?.state === 'running';
}

/** A step's state as words (colour is never the only sign). */
export const STEP_STATE_LABELS: Readonly<Record<StepState, string>> = {
  pending: 'Waiting',
  running: 'Running',
  retrying: 'Retrying',
  succeeded: 'Done',
  failed: 'Failed',
};

/** The step the operation is on now (running or retrying), or the one that failed. */
export function currentStep(operation: OperationView): OperationView['steps'][number] | undefined {
  return (
    operation.steps.find((step) => step.state === 'running' || step.state === 'retrying') ??
    operation.steps.find((step) => step.state === 'failed')
  );
}
