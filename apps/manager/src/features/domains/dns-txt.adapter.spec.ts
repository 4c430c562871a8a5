import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManagerConfig } from '../../config/manager.config';
import { DnsTxtReader } from './dns-txt.adapter';

/** A nameserver that takes every query and never answers (a black hole, or a hostile one stalling). */
let silent: Socket;
let silentPort = 0;
let queries = 0;

beforeAll(async () => {
  silent = createSocket('udp4');
  silent.on('message', () => queries++);
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  silentPort = silent.address().port;
});

afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

const reader = (timeoutMs: number) =>
  new DnsTxtReader(
    loadManagerConfig({
      DATABASE_URL: 'postgresql://dais@localhost/dais',
      DAIS_DOMAIN_DNS_SERVERS: `127.0.0.1:${silentPort}`,
      DAIS_DOMAIN_DNS_TIMEOUT_MS: String(timeoutMs),
    }),
  );

describe('the DNS adapter against a nameserver that never answers', () => {
  it('ends a lookup as a timeout at its deadline, having asked the configured server', async () => {
    const started = Date.now();
    expect(await reader(400).read('_dais-challenge.shop.example.org')).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(queries).toBeGreaterThan(0);
  });

  it('ends every lookup by its deadline even when more are asked at once than it runs together', async () => {
    const txt = reader(400);
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 80 }, (_, i) => txt.read(`_dais-challenge.s${i}.example.org`)));
    expect(new Set(outcomes.map((outcome) => outcome.kind))).toEqual(new Set(['timeout']));
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
