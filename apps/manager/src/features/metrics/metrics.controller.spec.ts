import { describe, expect, it, vi } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import { fakeReply, fakeRequest } from '../../testing/http/fake-http';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { MetricsController } from './metrics.controller';
import type { MetricsService } from './metrics.service';

const SCRAPE = { contentType: 'text/plain; version=0.0.4', body: 'dais_up 1\n' };

function controllerWith(token: string | null) {
  const scrape = vi.fn().mockResolvedValue(SCRAPE);
  const config = { metrics: { token } } as ManagerConfig;
  return { controller: new MetricsController(strictFake<MetricsService>('MetricsService', { scrape }), config), scrape };
}

describe('MetricsController', () => {
  it('without a scrape token, answers anyone, never cached', async () => {
    const { controller } = controllerWith(null);
    const { reply, recorded } = fakeReply();
    await controller.scrape(fakeRequest().request, reply);
    expect(recorded.body).toBe(SCRAPE.body);
    expect(recorded.headers).toMatchObject({ 'content-type': SCRAPE.contentType, 'cache-control': 'no-store' });
  });

  it('with a scrape token, answers a scrape that sends it', async () => {
    const { controller } = controllerWith('scrape-secret');
    const { reply, recorded } = fakeReply();
    await controller.scrape(fakeRequest({ headers: { authorization: 'Bearer scrape-secret' } }).request, reply);
    expect(recorded.body).toBe(SCRAPE.body);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer wrong',
    'Bearer scrape-secretX',
    'Bearer scrape-secre',
    'Basic scrape-secret',
    'scrape-secret',
  ])('with a scrape token, refuses Authorization %j with 401 and a challenge, without scraping', async (authorization) => {
    const { controller, scrape } = controllerWith('scrape-secret');
    const { reply, recorded } = fakeReply();
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    expect((await refusalOf(() => controller.scrape(fakeRequest({ headers }).request, reply))).code).toBe('UNAUTHENTICATED');
    expect(recorded.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(scrape).not.toHaveBeenCalled();
  });
});
