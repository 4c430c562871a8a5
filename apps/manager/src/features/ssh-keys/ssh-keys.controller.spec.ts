import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER } from '../../testing/http/users';
import { SshKeysController } from './ssh-keys.controller';
import type { SshKeysService } from './ssh-keys.service';

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq2pmzq3m0z8mPq8vXyK3tDq1C2hM8bZJ3WbJ0Kx9qP alice@laptop';

function controllerWith(arranged: Partial<SshKeysService>) {
  return new SshKeysController(strictFake<SshKeysService>('SshKeysService', arranged));
}

describe('SshKeysController', () => {
  it('adds a key from a checked body', async () => {
    const add = vi.fn().mockResolvedValue({ id: 4 });
    const controller = controllerWith({ add });
    expect(await controller.add(MEMBER, { name: 'laptop', publicKey: PUBLIC_KEY })).toEqual({ id: 4 });
    expect(add).toHaveBeenCalledWith(MEMBER, { name: 'laptop', publicKey: PUBLIC_KEY });
    expect(await bodyTable({ name: 'laptop', publicKey: PUBLIC_KEY }, (body) => controller.add(MEMBER, body), add)).toMatchSnapshot();
  });

  it('lists the caller’s keys under `keys`', async () => {
    const list = vi.fn().mockResolvedValue([{ id: 4 }]);
    expect(await controllerWith({ list }).list(MEMBER)).toEqual({ keys: [{ id: 4 }] });
    expect(list).toHaveBeenCalledWith(MEMBER);
  });

  it('removes a key by id, answering nothing', async () => {
    const remove = vi.fn().mockResolvedValue(undefined);
    const controller = controllerWith({ remove });
    await expect(controller.remove(MEMBER, { id: '4' })).resolves.toBeUndefined();
    expect(remove).toHaveBeenCalledWith(MEMBER, 4);
    await expectPathIdChecked((id) => controller.remove(MEMBER, { id }), remove);
  });
});
