import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { freePorts } from '../../../test/support/ports';
import { getWithHost } from '../../../test/support/http';
import { tempDir } from '../../../test/support/temp-dir';
import {
  DesiredStateTable,
  GenerationStore,
  NginxConfigPipeline,
  NginxInstance,
  StatusProbe,
  nginxValue,
  renderMainConfig,
  renderMapEntries,
} from '../src';

/** A tiny tier: `map $host → text`, answering each known host with its text. */
function harness(prefix: string, statusPort: number, port: number) {
  const store = new GenerationStore(join(prefix, 'conf'));
  const instance = new NginxInstance({ prefix, liveConfFile: store.liveConfFile });
  const probe = new StatusProbe(statusPort);
  const pipeline = new NginxConfigPipeline({ instance, store, probe, reloadTimeoutMs: 3_000 });
  const render =
    (entries: ReadonlyMap<string, string>, extraServer = '') =>
    (generation: number) => ({
      'nginx.conf': renderMainConfig({
        prefix,
        generation,
        statusPort,
        http: `    map $host $answer { default ""; include hosts.map; }
    server {
        listen 127.0.0.1:${port};
        location / {
            if ($answer = "") { return 404; }
            return 200 $answer;
        }
    }
${extraServer}`,
      }),
      'hosts.map': entries.size
        ? renderMapEntries([...entries].map(([host, text]) => [nginxValue.hostname(host), nginxValue.token(text)]))
        : '# none\n',
    });
  return { store, instance, probe, pipeline, render };
}

/** A desired-state table over the harness (site N answers on sN.example) that counts its applies. */
function countingTable(h: ReturnType<typeof harness>) {
  let applies = 0;
  const table = new DesiredStateTable<string>(new Map(), {
    apply: (state) => {
      applies++;
      return h.pipeline.apply(h.render(new Map([...state].map(([id, text]) => [`s${id}.example`, text]))));
    },
    persist: () => Promise.resolve(),
  });
  return { table, applies: () => applies };
}

describe('nginx config pipeline (real nginx)', () => {
  let dir: { path: string; remove(): Promise<void> };
  let ports: number[];
  let h: ReturnType<typeof harness>;

  beforeEach(async () => {
    dir = await tempDir('nginx');
    ports = await freePorts(3);
    h = harness(dir.path, ports[0]!, ports[1]!);
  });

  afterEach(async () => {
    await h.instance.stop();
    await dir.remove();
  });

  it('starts nginx on the first apply and serves each new generation after a reload', async () => {
    const first = await h.pipeline.apply(h.render(new Map([['a.example', 'one']])));
    expect((await getWithHost(ports[1]!, 'a.example')).body).toBe('one');
    const second = await h.pipeline.apply(
      h.render(
        new Map([
          ['a.example', 'two'],
          ['b.example', 'bee'],
        ]),
      ),
    );
    expect(second).toBe(first + 1);
    expect((await getWithHost(ports[1]!, 'a.example')).body).toBe('two');
    expect((await getWithHost(ports[1]!, 'b.example')).body).toBe('bee');
    expect((await getWithHost(ports[1]!, 'unknown.example')).status).toBe(404);
  });

  it('refuses a config nginx -t rejects, names the file and line, and keeps serving the old one', async () => {
    const good = await h.pipeline.apply(h.render(new Map([['a.example', 'one']])));
    const error = await h.pipeline
      .apply(h.render(new Map([['a.example', 'one']]), '    server { listen 127.0.0.1:1; bogus_directive on; }\n'))
      .catch((e: unknown) => e);
    expect(isDaisError(error, 'NGINX_CONFIG_REJECTED')).toBe(true);
    expect((error as Error).message).toMatch(/unknown directive "bogus_directive" in nginx\.conf:\d+/);
    expect(await h.store.liveGeneration()).toBe(good);
    expect(await h.probe.servedGeneration()).toBe(good);
    expect((await getWithHost(ports[1]!, 'a.example')).body).toBe('one');
    const generations = await readdir(join(dir.path, 'conf', 'generations'));
    expect(generations).toHaveLength(1);
  });

  it('keeps a refused trial config out of the error log a reload is watched through', async () => {
    await h.pipeline.apply(h.render(new Map([['a.example', 'one']])));
    const offset = await h.instance.errorLogSize();
    const error = await h.pipeline
      .test(() => h.render(new Map(), '    server { listen 127.0.0.1:1; bogus_directive on; }\n')(0), 'The trial config')
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^The trial config was refused by nginx: .*unknown directive "bogus_directive"/);
    // A reload running at the same time reads [emerg] lines from here as its own failure.
    expect(await h.instance.emergencySince(offset)).toBeNull();
    expect(await h.pipeline.apply(h.render(new Map([['a.example', 'two']])))).toBeGreaterThan(0);
  });

  it('restores the last good config when nginx cannot load a config that passed nginx -t', async () => {
    const good = await h.pipeline.apply(h.render(new Map([['a.example', 'one']])));
    // `nginx -t` does not bind sockets: a port already taken only fails at reload.
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(ports[2], '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const error = await h.pipeline
        .apply(h.render(new Map([['a.example', 'changed']]), `    server { listen 127.0.0.1:${ports[2]!}; return 204; }\n`))
        .catch((e: unknown) => e);
      expect(isDaisError(error, 'NGINX_RELOAD_FAILED')).toBe(true);
    } finally {
      blocker.close();
    }
    expect(await h.store.liveGeneration()).toBe(good);
    expect((await getWithHost(ports[1]!, 'a.example')).body).toBe('one');
  });

  it('says why nginx could not start (a port already taken) and leaves no nginx behind', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(ports[1], '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const error = await h.pipeline.apply(h.render(new Map([['a.example', 'one']]))).catch((e: unknown) => e);
      expect(isDaisError(error, 'NGINX_RELOAD_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(
        /^nginx could not start\. .*bind\(\) to 127\.0\.0\.1:\d+ failed \(98: Address already in use\)/,
      );
      expect(await h.instance.runningPid()).toBeNull();
    } finally {
      blocker.close();
    }
    // Once the port is free, the next apply starts nginx normally.
    await h.pipeline.apply(h.render(new Map([['a.example', 'one']])));
    expect((await getWithHost(ports[1]!, 'a.example')).body).toBe('one');
  });

  it('keeps only the newest generations on disk', async () => {
    for (let i = 0; i < 6; i++) await h.pipeline.apply(h.render(new Map([['a.example', `v${i}`]])));
    const generations = await readdir(join(dir.path, 'conf', 'generations'));
    expect(generations).toHaveLength(3);
  });

  it('batches a burst of changes into few reloads and isolates a bad change', async () => {
    const { table, applies } = countingTable(h);
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => table.set(i + 1, `site${i + 1}`)),
      table.set(99, 'has space'), // nginxValue.token refuses it while rendering
    ]);
    expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[20]?.status).toBe('rejected');
    expect((await getWithHost(ports[1]!, 's7.example')).body).toBe('site7');
    expect((await getWithHost(ports[1]!, 's99.example')).status).toBe(404);
    // 1 for the first change, 1 for the rest of the burst, then halving finds the bad one.
    expect(applies()).toBeLessThanOrEqual(2 + 2 * Math.ceil(Math.log2(20)));
    expect(table.state.size).toBe(20);
  });

  it('coalesces a burst of good changes into at most two applies', async () => {
    const { table, applies } = countingTable(h);
    await Promise.all(Array.from({ length: 50 }, (_, i) => table.set(i + 1, `site${i + 1}`)));
    expect(applies()).toBeLessThanOrEqual(2);
    expect((await getWithHost(ports[1]!, 's50.example')).body).toBe('site50');
  });
});
