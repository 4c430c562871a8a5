import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { operationStateSchema } from '@dais/shared';
import { OperationRepository } from '../operations/operation.repository';
import { OperationQueue, QUEUE_JOB_STATES } from '../../infrastructure/queue/operation-queue';
import { withTimeout } from './with-timeout';

/** A scrape must answer even when Redis or PostgreSQL does not: each source gets this long. */
const SOURCE_TIMEOUT_MS = 2_000;
/** Requests that matched no route share one label, so random paths cannot grow the series without bound. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Prometheus metrics of an API process, the only importer of prom-client: request durations by
 * route pattern, the operation queue's depth, operations by state, and Node's process metrics.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly logger = new Logger(MetricsService.name);
  private readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly sources: (() => Promise<void>)[];

  constructor(
    private readonly queue: OperationQueue,
    private readonly operations: OperationRepository,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'dais_http_request_duration_seconds',
      help: 'HTTP requests to the manager by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.sources = this.sourceGauges();
  }

  /** The text format Prometheus scrapes, and its content type; the queue and operation counts are read now. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    await Promise.all(this.sources.map((refresh) => refresh()));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Times every HTTP request once it is answered (404s and refusals by the guard included). */
  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      this.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  }

  /** Gauges read from Redis and PostgreSQL at each scrape, with one gauge saying which sources answered. */
  private sourceGauges(): (() => Promise<void>)[] {
    const reachable = new Gauge({
      name: 'dais_metrics_source_up',
      help: 'Whether a source of these metrics answered this scrape (1) or not (0).',
      labelNames: ['source'],
      registers: [this.registry],
    });
    const queueJobs = new Gauge({
      name: 'dais_queue_jobs',
      help: 'Operation jobs in the BullMQ queue by state.',
      labelNames: ['state'],
      registers: [this.registry],
    });
    const operations = new Gauge({
      name: 'dais_operations',
      help: 'Operations by state; failed ones wait for someone to retry them.',
      labelNames: ['state'],
      registers: [this.registry],
    });
    return [
      () =>
        this.sample('redis', reachable, queueJobs, async () => {
          const counts = await this.queue.jobCounts();
          for (const state of QUEUE_JOB_STATES) queueJobs.set({ state }, counts[state]);
        }),
      () =>
        this.sample('postgresql', reachable, operations, async () => {
          const counts = await this.operations.countByState();
          for (const state of operationStateSchema.options) operations.set({ state }, counts[state] ?? 0);
        }),
    ];
  }

  /** Refreshes one gauge from its source; a source that fails or is slow leaves it empty, never stale. */
  private async sample(source: string, reachable: Gauge<'source'>, gauge: Gauge<'state'>, read: () => Promise<void>): Promise<void> {
    gauge.reset();
    try {
      await withTimeout(read(), SOURCE_TIMEOUT_MS);
      reachable.set({ source }, 1);
    } catch (error) {
      gauge.reset();
      reachable.set({ source }, 0);
      this.logger.warn(`metrics: ${source} did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
