import type { SiteView } from '@dais/shared';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartDockerEngine } from './support/docker-engine';
import { eventually } from './support/http';
import { TestStack } from './support/stack';

/**
 * The promise of DESIGN.md "Data flow": restarting the Docker engine or the orchestrator leaves
 * every site serving again, with no action from the manager or an admin.
 */
describe('self-repair after restarts (whole stack, real Docker engine)', () => {
  let stack: TestStack;
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const served = (name: string, fragment: string) =>
    eventually(
      () => stack.visit(`${name}.dais.localhost`).catch(() => ({ status: 0, headers: {}, body: '' })),
      (page) => page.status === 200 && page.body.includes(fragment),
      60_000,
      250,
    );
  const containerIds = async () =>
    (await docker.listContainers({ filters: { label: [`dais.managed-by=${stack.env.DAIS_SITE_NAME_PREFIX ?? ''}`], status: ['running'] } }))
      .map((container) => container.Id)
      .sort();

  beforeAll(async () => {
    stack = await TestStack.start('repair');
    for (const body of [
      { name: 'plain', type: 'static' },
      { name: 'runner', type: 'dynamic', image: 'busybox' },
    ]) {
      const site = await stack.api<SiteView>('POST', '/api/sites', body);
      expect((await stack.waitForOperation(site.json.operation?.id ?? 0)).state).toBe('succeeded');
    }
    await served('runner', 'runner is ready');
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('keeps serving while the orchestrator is down (nginx runs on), and adopts its containers when it is back', async () => {
    const before = await containerIds();
    stack.signal('orchestrator', 'SIGKILL');
    await stack.stopProcess('orchestrator', 'SIGKILL');
    expect((await stack.visit('plain.dais.localhost')).status).toBe(200);
    expect((await stack.visit('runner.dais.localhost')).status).toBe(200);
    stack.startProcess('orchestrator');
    await served('runner', 'runner is ready');
    await served('plain', 'plain is ready');
    expect(await containerIds()).toEqual(before);
  });

  it('serves every site again after the Docker engine restarts, with no manager action', async () => {
    const operationsBefore = await stack.database.query<{ count: string }>('select count(*) from "Operation"');
    await restartDockerEngine();
    await served('runner', 'runner is ready');
    await served('plain', 'plain is ready');
    expect(await stack.database.query('select count(*) from "Operation"')).toEqual(operationsBefore);
  }, 120_000);
});
