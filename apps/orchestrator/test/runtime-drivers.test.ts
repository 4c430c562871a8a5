import { afterAll, beforeAll, describe } from 'vitest';
import { runtimeDriverContract } from '../src/sites/runtime-driver.contract';
import { engineDriverSubject } from './support/engine-driver-subject';
import { joinTestSwarm, leaveTestSwarm } from './support/test-swarm';

// The contract the memory driver passes in the unit tier, here on the real engine: plain containers,
// then Swarm services on a single-node Swarm this file creates (and leaves, if it was not one before).
runtimeDriverContract('docker', () => engineDriverSubject('docker'));

describe('on a single-node Swarm', () => {
  let createdSwarm = false;
  beforeAll(async () => {
    createdSwarm = await joinTestSwarm();
  }, 60_000);
  afterAll(async () => {
    if (createdSwarm) await leaveTestSwarm();
  }, 60_000);

  runtimeDriverContract('swarm', () => engineDriverSubject('swarm'));
});
