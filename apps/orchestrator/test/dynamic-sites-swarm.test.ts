import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicSpec, OrchestratorHarness } from './support/orchestrator-harness';
import { joinTestSwarm, leaveTestSwarm } from './support/test-swarm';
import { defineRuntimeSuite } from './support/runtime-suite';

// The same suite as the docker runtime, on a single-node Swarm this file creates and leaves.
let createdSwarm = false;
beforeAll(async () => {
  createdSwarm = await joinTestSwarm();
}, 60_000);
afterAll(async () => {
  if (createdSwarm) await leaveTestSwarm();
}, 60_000);

defineRuntimeSuite('swarm');

describe('Swarm only: a site with several tasks', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start('swarm');
  });

  afterAll(async () => {
    await h.destroy();
  });

  it('lists every running task in the site upstream, by node address and published port', async () => {
    expect((await h.put(dynamicSpec(1, 'pair', {}, { replicas: 2 }))).status).toBe(200);
    const status = await h.statusUntil(1, (s) => s.state === 'running' && s.endpoints.length === 2);
    expect(status.endpoints).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/), expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    const { readFile } = await import('node:fs/promises');
    const groups = await readFile(`${h.dir.path}/orchestrator/nginx/conf/live/site-upstream-groups.conf`, 'utf8');
    for (const endpoint of status.endpoints) expect(groups).toContain(`server ${endpoint}`);
    for (let i = 0; i < 4; i++) expect((await h.visit('pair.dais.localhost')).status).toBe(200);
  });
});
