import type { OperationQueue, QueueJobState } from '../infrastructure/queue/operation-queue';

/** The operation queue in memory: records what was queued, and can be told Redis is down. */
export class FakeOperationQueue implements Pick<OperationQueue, 'enqueue' | 'hasJob' | 'removeJob' | 'jobCounts'> {
  /** Operation ids queued, in order. */
  readonly queued: number[] = [];
  private outage: Error | null = null;

  /** Every call fails with this error until `recover()` (null: works again). */
  failWith(message: string): void {
    this.outage = new Error(message);
  }

  recover(): void {
    this.outage = null;
  }

  enqueue(operationId: number): Promise<void> {
    if (this.outage) return Promise.reject(this.outage);
    if (!this.queued.includes(operationId)) this.queued.push(operationId);
    return Promise.resolve();
  }

  hasJob(operationId: number): Promise<boolean> {
    if (this.outage) return Promise.reject(this.outage);
    return Promise.resolve(this.queued.includes(operationId));
  }

  removeJob(operationId: number): Promise<boolean> {
    if (this.outage) return Promise.reject(this.outage);
    const index = this.queued.indexOf(operationId);
    if (index >= 0) this.queued.splice(index, 1);
    return Promise.resolve(index >= 0);
  }

  /** Every queued job counts as waiting (the fake runs nothing). */
  jobCounts(): Promise<Record<QueueJobState, number>> {
    if (this.outage) return Promise.reject(this.outage);
    return Promise.resolve({ waiting: this.queued.length, active: 0, delayed: 0, failed: 0 });
  }
}
