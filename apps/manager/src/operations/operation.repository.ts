import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { OperationState, SiteState, StepState } from '../generated/prisma/enums';
import { WITH_STEPS as withSteps } from './operation-rows';
import type { OperationWithSteps } from './operation-view';

/** What changes on a step as it runs. */
export interface StepUpdate {
  state: StepState;
  message?: string | null;
  attempts?: { increment: number };
  startedAt?: Date;
  finishedAt?: Date | null;
}

/** What finishing an operation does to its site: set its state, remove its record or its database's, or nothing. */
export type SiteEffect =
  | { kind: 'set-state'; siteId: number; state: SiteState }
  | { kind: 'delete'; siteId: number }
  | { kind: 'delete-database'; siteId: number }
  | { kind: 'none' };

/** How an operation ends. */
export interface OperationEnding {
  id: number;
  state: Extract<OperationState, 'succeeded' | 'failed'>;
  error: string | null;
  now: Date;
  siteEffect: SiteEffect;
}

/** Operations and their steps in PostgreSQL. */
@Injectable()
export class OperationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** An operation with its steps in order, or null. */
  find(id: number): Promise<OperationWithSteps | null> {
    return this.prisma.operation.findUnique({ where: { id }, include: withSteps });
  }

  /** The newest operation of a site, or null. */
  latestForSite(siteId: number): Promise<OperationWithSteps | null> {
    return this.prisma.operation.findFirst({ where: { siteId }, orderBy: { id: 'desc' }, include: withSteps });
  }

  /** The newest operation of each of these sites, by site id (one query, not one per site). */
  async latestForSites(siteIds: readonly number[]): Promise<Map<number, OperationWithSteps>> {
    const operations = await this.prisma.operation.findMany({
      where: { siteId: { in: [...siteIds] } },
      distinct: ['siteId'],
      orderBy: [{ siteId: 'asc' }, { id: 'desc' }],
      include: withSteps,
    });
    return new Map(operations.map((operation) => [operation.siteId, operation]));
  }

  /** Marks an operation as running (keeping the first start time across retries). */
  async markRunning(id: number, now: Date): Promise<void> {
    await this.prisma.operation.updateMany({ where: { id, startedAt: null }, data: { startedAt: now } });
    await this.prisma.operation.update({ where: { id }, data: { state: 'running' } });
  }

  /** Records a step's progress. */
  async updateStep(stepId: number, update: StepUpdate): Promise<void> {
    await this.prisma.operationStep.update({ where: { id: stepId }, data: update });
  }

  /** Ends an operation and applies its effect on the site in the same transaction. */
  async finish(ending: OperationEnding): Promise<void> {
    const { id, state, error, now, siteEffect } = ending;
    await this.prisma.$transaction(async (tx) => {
      await tx.operation.update({ where: { id }, data: { state, error, finishedAt: now } });
      switch (siteEffect.kind) {
        case 'set-state':
          await tx.site.updateMany({ where: { id: siteEffect.siteId }, data: { state: siteEffect.state } });
          return;
        case 'delete':
          await tx.siteDatabase.deleteMany({ where: { siteId: siteEffect.siteId } });
          await tx.site.deleteMany({ where: { id: siteEffect.siteId } });
          return;
        case 'delete-database':
          await tx.siteDatabase.deleteMany({ where: { siteId: siteEffect.siteId } });
          return;
        case 'none':
          return;
      }
    });
  }

  /** True if an older operation of the same site has not finished: operations on one site run in order. */
  async hasEarlierUnfinished(siteId: number, id: number): Promise<boolean> {
    const earlier = await this.prisma.operation.findFirst({
      where: { siteId, id: { lt: id }, state: { in: ['pending', 'running'] } },
      select: { id: true },
    });
    return earlier !== null;
  }

  /** Unfinished operations created before a moment (for the sweeper). */
  async listUnfinishedBefore(before: Date, limit: number): Promise<number[]> {
    const rows = await this.prisma.operation.findMany({
      where: { state: { in: ['pending', 'running'] }, createdAt: { lt: before } },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /** Puts a failed operation back to pending from its failed step; false if it was not failed. */
  async resetForRetry(id: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const reset = await tx.operation.updateMany({
        where: { id, state: 'failed' },
        data: { state: 'pending', error: null, finishedAt: null },
      });
      if (reset.count === 0) return false;
      await tx.operationStep.updateMany({
        where: { operationId: id, state: { in: ['failed', 'running', 'retrying'] } },
        data: { state: 'pending', message: null, finishedAt: null },
      });
      return true;
    });
  }
}
