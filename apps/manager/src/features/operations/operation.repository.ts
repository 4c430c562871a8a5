import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { Prisma } from '../../generated/prisma/client';
import type { SiteState } from '../sites/site';
import { stepRowsFor } from './operation-catalogue';
import type { OperationKind, OperationState, OperationWithSteps, SiteType, StepState } from './operation';

/** Steps in order, whenever an operation is read. */
export const WITH_STEPS = { steps: { orderBy: { position: 'asc' } } } as const;
const withSteps = WITH_STEPS;

/** What an operation row needs to know of its site. */
export interface OperationSite {
  id: number;
  name: string;
  type: SiteType;
  hasDatabase: boolean;
}

/**
 * Writes an operation and its ordered steps inside the caller's transaction (next to the change it
 * carries out). `requestedById` is null for the platform's own work (e.g. a domain check that found its proof).
 */
export function createOperationRow(
  tx: Prisma.TransactionClient,
  site: OperationSite,
  kind: OperationKind,
  requestedById: number | null,
): Promise<OperationWithSteps> {
  return tx.operation.create({
    data: { siteId: site.id, siteName: site.name, kind, requestedById, steps: { create: stepRowsFor(kind, site) } },
    include: WITH_STEPS,
  });
}

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

/**
 * What finishing an operation does to the site's custom domains verified up to `upTo` (the
 * operation's own creation: domains verified later wait for their own operation; unverified ones
 * are never routed): `activate` marks them routed, `fail` puts the pending ones in error with the reason.
 */
export type DomainEffect =
  { kind: 'activate'; siteId: number; upTo: Date } | { kind: 'fail'; siteId: number; upTo: Date; message: string } | { kind: 'none' };

/** How an operation ends. */
export interface OperationEnding {
  id: number;
  state: Extract<OperationState, 'succeeded' | 'failed'>;
  error: string | null;
  now: Date;
  siteEffect: SiteEffect;
  domainEffect?: DomainEffect;
  /** Fails the steps still running or retrying with this message (an operation given up on). */
  unfinishedStepsMessage?: string;
}

/** One page of the operation list: newest first, after `cursor` (the last id seen), optionally of one state or site. */
export interface OperationPageQuery {
  state?: OperationState;
  siteId?: number;
  limit: number;
  cursor?: number;
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

  /**
   * The newest operation of each of these sites, by site id. Prisma's `distinct` would read every
   * operation of every site and drop all but one in JavaScript; DISTINCT ON reads one per site from
   * the (siteId, id) index, however long a site's history grows.
   */
  async latestForSites(siteIds: readonly number[]): Promise<Map<number, OperationWithSteps>> {
    if (siteIds.length === 0) return new Map();
    const latest = await this.prisma.$queryRaw<{ id: number }[]>`
      SELECT DISTINCT ON ("siteId") id FROM "Operation" WHERE "siteId" = ANY(${[...siteIds]}::int[]) ORDER BY "siteId", id DESC`;
    const operations = await this.prisma.operation.findMany({ where: { id: { in: latest.map((row) => row.id) } }, include: withSteps });
    return new Map(operations.map((operation) => [operation.siteId, operation]));
  }

  /** A page of all operations with their steps, newest first (the `state` and `siteId, id` indexes serve it). */
  listPage(query: OperationPageQuery): Promise<OperationWithSteps[]> {
    return this.prisma.operation.findMany({
      where: {
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.siteId === undefined ? {} : { siteId: query.siteId }),
        ...(query.cursor === undefined ? {} : { id: { lt: query.cursor } }),
      },
      include: withSteps,
      orderBy: { id: 'desc' },
      take: query.limit,
    });
  }

  /** How many operations are in each state (for metrics); states with none are absent. */
  async countByState(): Promise<Partial<Record<OperationState, number>>> {
    const groups = await this.prisma.operation.groupBy({ by: ['state'], _count: { _all: true } });
    return Object.fromEntries(groups.map((group) => [group.state, group._count._all]));
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

  /**
   * Ends an unfinished operation and applies its effects on the site and its domains in the same
   * transaction. Returns false (and changes nothing) if the operation had already ended, e.g. the
   * sweeper gave up on it while a late worker was still in a step.
   */
  async finish(ending: OperationEnding): Promise<boolean> {
    const { id, state, error, now } = ending;
    return this.prisma.$transaction(async (tx) => {
      const ended = await tx.operation.updateMany({
        where: { id, state: { in: ['pending', 'running'] } },
        data: { state, error, finishedAt: now },
      });
      if (ended.count === 0) return false;
      if (ending.unfinishedStepsMessage !== undefined) {
        await tx.operationStep.updateMany({
          where: { operationId: id, state: { in: ['running', 'retrying'] } },
          data: { state: 'failed', message: ending.unfinishedStepsMessage.slice(0, 2000), finishedAt: now },
        });
      }
      await applyDomainEffect(tx, ending.domainEffect ?? { kind: 'none' });
      await applySiteEffect(tx, ending.siteEffect);
      return true;
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

  /**
   * Operations running since before `before` with no step started since: stuck (a hung call, a
   * worker frozen), to be given up on. A step started again (a retry) counts as progress.
   */
  listOverdue(before: Date, limit: number): Promise<OperationWithSteps[]> {
    return this.prisma.operation.findMany({
      where: { state: 'running', startedAt: { lt: before }, steps: { none: { startedAt: { gte: before } } } },
      include: withSteps,
      orderBy: { id: 'asc' },
      take: limit,
    });
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

async function applySiteEffect(tx: Prisma.TransactionClient, effect: SiteEffect): Promise<void> {
  switch (effect.kind) {
    case 'set-state':
      await tx.site.updateMany({ where: { id: effect.siteId }, data: { state: effect.state } });
      return;
    case 'delete':
      await tx.siteDatabase.deleteMany({ where: { siteId: effect.siteId } });
      await tx.site.deleteMany({ where: { id: effect.siteId } });
      return;
    case 'delete-database':
      await tx.siteDatabase.deleteMany({ where: { siteId: effect.siteId } });
      return;
    case 'none':
      return;
  }
}

async function applyDomainEffect(tx: Prisma.TransactionClient, effect: DomainEffect): Promise<void> {
  switch (effect.kind) {
    case 'activate':
      await tx.domain.updateMany({
        where: { siteId: effect.siteId, verifiedAt: { lte: effect.upTo }, status: { in: ['pending', 'error'] } },
        data: { status: 'active', statusMessage: null },
      });
      return;
    case 'fail':
      await tx.domain.updateMany({
        where: { siteId: effect.siteId, verifiedAt: { lte: effect.upTo }, status: 'pending' },
        data: { status: 'error', statusMessage: effect.message.slice(0, 500) },
      });
      return;
    case 'none':
      return;
  }
}
