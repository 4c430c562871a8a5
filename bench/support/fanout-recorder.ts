import type { OperationView } from '@dais/shared';

/** One `operation:updated` event as published once and received by every client. */
interface EventRecord {
  operationId: number;
  /**
   * The newest timestamp the view carries (operation or step start/finish): set by the worker
   * with `new Date()` just before it writes that change and then publishes it. Null for an event
   * that brings no new timestamp (a progress message of a running step): no honest origin.
   */
  changedAt: number | null;
  /** When the event reached this process's own Redis subscriber on the manager's event channel. */
  publishedAt?: number;
  receipts: number[];
}

/** The distributions the benchmark prints, in milliseconds. */
export interface FanoutSummary {
  events: number;
  eventsPerOperation: number[];
  /** Client receipt − the state change's timestamp (clients × events with a fresh timestamp). */
  sinceChange: number[];
  /** Client receipt − receipt on this process's Redis subscriber. */
  sincePublish: number[];
  /** Redis receipt − the state change's timestamp (worker side: write, read back, publish). */
  changeToPublish: number[];
  /** Last client's receipt − first client's receipt, per event. */
  spread: number[];
  /** Events that did not reach every client. */
  incomplete: number;
}

/** The wall clock with sub-millisecond resolution (comparable with other processes' Date.now()). */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/** What identifies one published state of an operation (key order differs between publisher and socket). */
function keyOf(view: OperationView): string {
  const steps = view.steps.map((step) => `${step.state}/${step.attempts}/${step.message ?? ''}`).join(',');
  return `${view.id}|${view.state}|${view.error ?? ''}|${steps}`;
}

function newestTimestamp(view: OperationView): number {
  const times = [view.startedAt, view.finishedAt, ...view.steps.flatMap((step) => [step.startedAt, step.finishedAt])];
  return Math.max(...times.filter((time): time is string => time !== null).map((time) => Date.parse(time)));
}

/**
 * Collects when each `operation:updated` of the watched operations was published and received
 * by each client, and tells when every client has seen an operation end.
 */
export class FanoutRecorder {
  private readonly events = new Map<string, EventRecord>();
  private readonly watched = new Set<number>();
  private readonly timestampsSeen = new Map<number, Set<number>>();
  private readonly endedFor = new Map<number, number>();
  private readonly waiters = new Map<number, { clients: number; resolve: () => void }>();

  /**
   * Counts an operation's events in the summary; resolves once `clients` clients have seen it
   * end. Events of every operation are recorded from the start: the first ones may come before
   * the API call that started the operation has returned.
   */
  watch(operationId: number, clients: number): Promise<void> {
    this.watched.add(operationId);
    return new Promise((resolve) => {
      this.waiters.set(operationId, { clients, resolve });
      this.checkEnded(operationId);
    });
  }

  /** The event as this process's Redis subscriber heard it. */
  published(view: OperationView, at: number): void {
    this.recordOf(view).publishedAt ??= at;
  }

  /** The event as one client received it. */
  received(view: OperationView, at: number): void {
    this.recordOf(view).receipts.push(at);
    if (view.state !== 'succeeded' && view.state !== 'failed') return;
    this.endedFor.set(view.id, (this.endedFor.get(view.id) ?? 0) + 1);
    this.checkEnded(view.id);
  }

  summarize(clients: number): FanoutSummary {
    const summary: FanoutSummary = {
      events: 0,
      eventsPerOperation: [],
      sinceChange: [],
      sincePublish: [],
      changeToPublish: [],
      spread: [],
      incomplete: 0,
    };
    const perOperation = new Map<number, number>();
    for (const record of this.events.values()) {
      if (!this.watched.has(record.operationId)) continue;
      summary.events++;
      perOperation.set(record.operationId, (perOperation.get(record.operationId) ?? 0) + 1);
      if (record.receipts.length < clients) summary.incomplete++;
      const { changedAt, publishedAt, receipts } = record;
      if (changedAt !== null) summary.sinceChange.push(...receipts.map((at) => at - changedAt));
      if (publishedAt !== undefined) summary.sincePublish.push(...receipts.map((at) => at - publishedAt));
      if (publishedAt !== undefined && changedAt !== null) summary.changeToPublish.push(publishedAt - changedAt);
      if (receipts.length > 0) summary.spread.push(Math.max(...receipts) - Math.min(...receipts));
    }
    summary.eventsPerOperation = [...perOperation.values()];
    return summary;
  }

  private checkEnded(operationId: number): void {
    const waiter = this.waiters.get(operationId);
    if (waiter && (this.endedFor.get(operationId) ?? 0) >= waiter.clients) waiter.resolve();
  }

  private recordOf(view: OperationView): EventRecord {
    const key = keyOf(view);
    let record = this.events.get(key);
    if (!record) {
      const newest = newestTimestamp(view);
      const seen = this.timestampsSeen.get(view.id) ?? new Set<number>();
      this.timestampsSeen.set(view.id, seen);
      record = { operationId: view.id, changedAt: seen.has(newest) ? null : newest, receipts: [] };
      seen.add(newest);
      this.events.set(key, record);
    }
    return record;
  }
}
