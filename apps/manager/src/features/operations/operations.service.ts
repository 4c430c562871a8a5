import { Injectable } from '@nestjs/common';
import { DaisError, type listOperationsQuerySchema, type OperationListView, type OperationView } from '@dais/shared';
import type { z } from 'zod';
import { assertAdmin, type AuthenticatedUser } from '../auth/authenticated-user';
import { OperationLauncher } from './operation-launcher';
import { changeableSite } from '../sites/site-access';
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

  /** A page of every operation, newest first (admins: the failed-operations screen repairs from it). */
  async list(user: AuthenticatedUser, query: z.output<typeof listOperationsQuerySchema>): Promise<OperationListView> {
    assertAdmin(user, 'list all operations');
    // One more than asked tells whether another page follows.
    const found = await this.operations.listPage({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    return {
      operations: page.map(toOperationView),
      nextCursor: found.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  /**
   * Runs a failed operation again from its failed step. Retrying changes the site, so it needs what
   * starting the operation needed: a member of a site that is not locked (seeing it is not enough),
   * and an admin for a repair.
   */
  async retry(user: AuthenticatedUser, operationId: number): Promise<OperationView> {
    const operation = await this.visible(user, operationId);
    if (user.role !== 'admin') {
      if (operation.kind === 'repair_site') assertAdmin(user, 'retry a repair');
      await changeableSite(this.sites, user, operation.siteId);
    }
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
