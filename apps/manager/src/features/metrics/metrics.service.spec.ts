import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import type { OperationRepository } from '../operations/operation.repository';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { FakeOperationQueue } from '../../testing/fake-operation-queue';
import { failing, strictFake } from '../../testing/strict-fake';
import { MetricsService } from './metrics.service';

function setup(countByState: OperationRepository['countByState'] = () => Promise.resolve({ running: 2, failed: 1 })) {
  const queue = new FakeOperationQueue();
  const operations = strictFake<OperationRepository>('operations', { countByState });
  // Only onModuleInit (the HTTP hook) reads the adapter; a scrape must not.
  const service = new MetricsService(queue as unknown as OperationQueue, operations, strictFake<HttpAdapterHost>('adapterHost', {}));
  return { service, queue };
}

describe('scraping metrics', () => {
  it('reports the queue depth and operations by state, read at the scrape', async () => {
    const { service, queue } = setup();
    await queue.enqueue(1);
    await queue.enqueue(2);
    const { body, contentType } = await service.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain('dais_queue_jobs{state="waiting"} 2');
    expect(body).toContain('dais_operations{state="running"} 2');
    expect(body).toContain('dais_operations{state="pending"} 0');
    expect(body).toContain('dais_metrics_source_up{source="redis"} 1');
    expect(body).toContain('dais_metrics_source_up{source="postgresql"} 1');
  });

  it('still answers when a source fails, saying which, and leaves its gauge empty rather than stale', async () => {
    const { service, queue } = setup(failing('database is down'));
    await queue.enqueue(1);
    expect(await service.scrape()).toHaveProperty('body', expect.stringContaining('dais_queue_jobs{state="waiting"} 1'));
    queue.failWith('Redis is down');
    const { body } = await service.scrape();
    expect(body).toContain('dais_metrics_source_up{source="redis"} 0');
    expect(body).toContain('dais_metrics_source_up{source="postgresql"} 0');
    expect(body).not.toMatch(/dais_queue_jobs\{/);
    expect(body).not.toMatch(/dais_operations\{/);
  });
});
