import { afterAll, beforeAll } from 'vitest';
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
