import { Injectable } from '@nestjs/common';
import { DaisError, type OperationView } from '@dais/shared';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { OperationLauncher } from './operation-launcher';
import { SiteRepository } from '../sites/site.repository';
import { OperationRepository } from './operation.repository';
import { toOperationView, type OperationWithSteps } from './operation-view';

/** Reading and retrying operations, for the people allowed to see them. */
@Injectable()
export class OperationsService {
  constructor(
    private readonly operations: OperationRepository,
    private readonly sites: SiteRepository,
    private readonly launcher: OperationLauncher,
  ) {}

  /** An operation the user may see. */
  async get(user: AuthenticatedUser, operationId: number): Promise<OperationView> {
    return toOperationView(await this.visible(user, operationId));
  }

  /** Runs a failed operation again from its failed step. */
  async retry(user: AuthenticatedUser, operationId: number): Promise<OperationView> {
    const operation = await this.visible(user, operationId);
    if (!(await this.operations.resetForRetry(operation.id))) {
      throw new DaisError(
        'OPERATION_NOT_RETRYABLE',
        `Operation ${operationId} is ${operation.state}; only failed operations can be retried.`,
      );
    }
    await this.launcher.launch(operation.id);
    return toOperationView((await this.operations.find(operation.id)) ?? operation);
  }

  /** Members of the site, its requester and admins may see an operation (also after the site is gone). */
  private async visible(user: AuthenticatedUser, operationId: number): Promise<OperationWithSteps> {
    const operation = await this.operations.find(operationId);
    const allowed =
      operation !== null &&
      (user.role === 'admin' || operation.requestedById === user.id || (await this.sites.isVisible(operation.siteId, user)));
    if (!operation || !allowed)
      throw new DaisError('OPERATION_NOT_FOUND', `There is no operation ${operationId}, or it is not yours to see.`);
    return operation;
  }
}
