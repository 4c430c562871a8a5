import { generateKeyPairSync } from 'node:crypto';
import { DaisError } from '@dais/shared';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { HOSTILE_VALUES } from '../../testing/http/hostile-values';
import { bodyTable, labelOf, outcomeOf } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER } from '../../testing/http/users';
import type { AppHostRecord } from './fleet-records';
import { AppHostsController, RoutersController } from './fleet.controller';
import type { FleetService } from './fleet.service';

const PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const HOST: AppHostRecord = {
  id: 2,
  name: 'east',
  url: 'http://10.0.0.2:7100',
  peerId: 'orchestrator-2',
  publicKey: PUBLIC_KEY,
  createdAt: new Date('2026-12-01T00:00:00Z'),
  runtime: 'docker',
  capacity: 500,
  state: 'active',
  lastSeen: {
    health: 'ok',
    version: { protocol: 1, package: '0.1.0' },
    siteCount: 3,
    lastSeenAt: new Date('2026-12-01T00:01:00Z'),
    lastError: null,
  },
};
const VALID_ROUTER = { name: 'edge-2', url: 'http://10.0.0.3:7200', peerId: 'router-2', publicKey: PUBLIC_KEY };
const VALID_HOST = { ...VALID_ROUTER, name: 'east', peerId: 'orchestrator-2', runtime: 'docker', capacity: 500 };

/** Names a path may not carry: every hostile value, and near misses of a slug. */
const HOSTILE_NAMES = [...HOSTILE_VALUES, 'LOCAL', '-local', 'local-', '1local', 'lo cal', 'local/../x', 'a'.repeat(41), ''];

async function nameTable(send: (name: unknown) => unknown, reached: Mock): Promise<string[]> {
  const accepted: string[] = [];
  for (const name of HOSTILE_NAMES) {
    const outcome = await outcomeOf(() => send(name), reached);
    if (outcome !== 'VALIDATION_FAILED') accepted.push(`${labelOf(name)}: ${outcome}`);
  }
  return accepted;
}

describe('AppHostsController', () => {
  const controllerWith = (arranged: Partial<FleetService>) => new AppHostsController(strictFake<FleetService>('FleetService', arranged));

  it('lists app hosts as views (dates as ISO text), to admins only', async () => {
    const controller = controllerWith({ listAppHosts: vi.fn().mockResolvedValue([HOST]) });
    expect(await controller.list(ADMIN)).toEqual({
      appHosts: [
        expect.objectContaining({
          name: 'east',
          state: 'active',
          createdAt: '2026-12-01T00:00:00.000Z',
          lastSeen: expect.objectContaining({ health: 'ok', lastSeenAt: '2026-12-01T00:01:00.000Z', siteCount: 3 }),
        }),
      ],
    });
    await expect(controller.list(MEMBER)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('adds an app host from a checked body, URL normalised and key in canonical PEM', async () => {
    const addAppHost = vi.fn().mockResolvedValue(HOST);
    const controller = controllerWith({ addAppHost });
    await controller.add(ADMIN, { ...VALID_HOST, url: 'HTTP://10.0.0.2:7100/', publicKey: `\n${PUBLIC_KEY}\n` });
    expect(addAppHost).toHaveBeenCalledWith(ADMIN, { ...VALID_HOST, url: 'http://10.0.0.2:7100', publicKey: PUBLIC_KEY });
    expect(await bodyTable(VALID_HOST, (body) => controller.add(ADMIN, body), addAppHost)).toMatchSnapshot();
  });

  it('refuses URLs that are not plain http(s) addresses, and keys that are not Ed25519 public keys', async () => {
    const addAppHost = vi.fn().mockResolvedValue(HOST);
    const controller = controllerWith({ addAppHost });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privateKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const body of [
      { ...VALID_HOST, url: 'ftp://10.0.0.2' },
      { ...VALID_HOST, url: 'http://user:secret@10.0.0.2:7100' },
      { ...VALID_HOST, url: 'http://10.0.0.2:7100/?x=1' },
      { ...VALID_HOST, url: 'http://10.0.0.2:7100/#top' },
      { ...VALID_HOST, url: 'file:///etc/passwd' },
      { ...VALID_HOST, url: 'javascript:alert(1)' },
      { ...VALID_HOST, publicKey: rsa },
      { ...VALID_HOST, publicKey: privateKey },
      { ...VALID_HOST, publicKey: PUBLIC_KEY.replace(/\n[^-]+\n/, '\nMCowBQYDK2VwAyEA\n') },
      { ...VALID_HOST, runtime: 'kubernetes' },
      { ...VALID_HOST, capacity: -1 },
      { ...VALID_HOST, capacity: 1.5 },
      { ...VALID_HOST, capacity: 1_000_001 },
    ])
      expect(await outcomeOf(() => controller.add(ADMIN, body), addAppHost), JSON.stringify(body).slice(0, 120)).toBe('VALIDATION_FAILED');
  });

  it('drains, undrains and removes by a checked name', async () => {
    const drain = vi.fn().mockResolvedValue({ ...HOST, state: 'draining' });
    const undrain = vi.fn().mockResolvedValue(HOST);
    const removeAppHost = vi.fn().mockResolvedValue(undefined);
    const controller = controllerWith({ drain, undrain, removeAppHost });
    expect(await controller.drain(ADMIN, { name: 'east' })).toMatchObject({ name: 'east', state: 'draining' });
    expect(drain).toHaveBeenCalledWith(ADMIN, 'east');
    expect(await controller.undrain(ADMIN, { name: 'east' })).toMatchObject({ state: 'active' });
    await controller.remove(ADMIN, { name: 'east' });
    expect(removeAppHost).toHaveBeenCalledWith(ADMIN, 'east');
    expect(await nameTable((name) => controller.drain(ADMIN, { name }), drain)).toEqual([]);
    expect(await nameTable((name) => controller.undrain(ADMIN, { name }), undrain)).toEqual([]);
    expect(await nameTable((name) => controller.remove(ADMIN, { name }), removeAppHost)).toEqual([]);
  });

  it('refuses members every route before the service', async () => {
    const reached = vi.fn();
    const controller = controllerWith({ addAppHost: reached, drain: reached, undrain: reached, removeAppHost: reached });
    for (const call of [
      () => controller.add(MEMBER, VALID_HOST),
      () => controller.drain(MEMBER, { name: 'east' }),
      () => controller.undrain(MEMBER, { name: 'east' }),
      () => controller.remove(MEMBER, { name: 'east' }),
    ])
      await expect(call()).rejects.toBeInstanceOf(DaisError);
    expect(reached).not.toHaveBeenCalled();
  });
});

describe('RoutersController', () => {
  const controllerWith = (arranged: Partial<FleetService>) => new RoutersController(strictFake<FleetService>('FleetService', arranged));
  const { runtime: _runtime, capacity: _capacity, state: _state, ...ROUTER } = HOST;

  it('lists, adds from a checked body, and removes by a checked name, for admins only', async () => {
    const addRouter = vi.fn().mockResolvedValue({ ...ROUTER, name: 'edge-2' });
    const removeRouter = vi.fn().mockResolvedValue(undefined);
    const controller = controllerWith({ listRouters: vi.fn().mockResolvedValue([ROUTER]), addRouter, removeRouter });
    expect((await controller.list(ADMIN)).routers).toHaveLength(1);
    expect(await controller.add(ADMIN, VALID_ROUTER)).toMatchObject({ name: 'edge-2' });
    expect(await bodyTable(VALID_ROUTER, (body) => controller.add(ADMIN, body), addRouter)).toMatchSnapshot();
    await controller.remove(ADMIN, { name: 'edge-2' });
    expect(removeRouter).toHaveBeenCalledWith(ADMIN, 'edge-2');
    expect(await nameTable((name) => controller.remove(ADMIN, { name }), removeRouter)).toEqual([]);
    await expect(controller.list(MEMBER)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(controller.add(MEMBER, VALID_ROUTER)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
