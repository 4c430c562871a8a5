import { describe, expect, it, vi } from 'vitest';
import { bodyTable } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import type { AuditService } from '../audit/audit.service';
import type { UserRepository } from '../auth/user.repository';
import type { SiteRepository } from '../sites/site.repository';
import type { ShellAccessService } from './shell-access.service';
import { ShellServerController } from './shell-server.controller';

const GRANT = { user: { id: 11, username: 'alice' }, sites: [] };
const PASSWORD_SIGN_IN = { username: 'alice', password: 'alice long password 1', site: 'blog', remoteAddress: '203.0.113.9' };
const KEY_SIGN_IN = {
  username: 'alice',
  publicKey: 'ssh-ed25519 AAAA',
  signedData: 'AAAAAAAA',
  signature: 'AAAAAAAA',
  site: 'blog',
  remoteAddress: '203.0.113.9',
};
const SESSION_EVENT = { userId: 11, siteId: 7, kind: 'exec', event: 'start', remoteAddress: '203.0.113.9', command: 'ls -la' };

function controllerWith(
  access: Partial<ShellAccessService> = {},
  found: { user?: unknown; site?: unknown } = {},
  record = vi.fn().mockResolvedValue(undefined),
) {
  const findById = vi.fn().mockResolvedValue(found.user ?? null);
  const find = vi.fn().mockResolvedValue(found.site ?? null);
  const controller = new ShellServerController(
    strictFake<ShellAccessService>('ShellAccessService', access),
    strictFake<UserRepository>('UserRepository', { findById }),
    strictFake<SiteRepository>('SiteRepository', { find }),
    strictFake<AuditService>('AuditService', { record }),
  );
  return { controller, record, findById, find };
}

describe('ShellServerController', () => {
  it('signs in with a password: the password apart from the rest of the login', async () => {
    const withPassword = vi.fn().mockResolvedValue(GRANT);
    const { controller } = controllerWith({ withPassword });
    expect(await controller.password(PASSWORD_SIGN_IN)).toBe(GRANT);
    expect(withPassword).toHaveBeenCalledWith({ username: 'alice', site: 'blog', remoteAddress: '203.0.113.9' }, 'alice long password 1');
    expect(await bodyTable(PASSWORD_SIGN_IN, (body) => controller.password(body), withPassword)).toMatchSnapshot();
  });

  it('signs in with a key: the client’s proof apart from the rest of the login', async () => {
    const withPublicKey = vi.fn().mockResolvedValue(GRANT);
    const { controller } = controllerWith({ withPublicKey });
    expect(await controller.publicKey(KEY_SIGN_IN)).toBe(GRANT);
    expect(withPublicKey).toHaveBeenCalledWith(
      { username: 'alice', site: 'blog', remoteAddress: '203.0.113.9' },
      { publicKey: 'ssh-ed25519 AAAA', signedData: 'AAAAAAAA', signature: 'AAAAAAAA' },
    );
    expect(await bodyTable(KEY_SIGN_IN, (body) => controller.publicKey(body), withPublicKey)).toMatchSnapshot();
  });

  it('records a session in the audit log, saying the address is the shell’s report', async () => {
    const { controller, record } = controllerWith({}, { user: { username: 'alice' }, site: { id: 7, name: 'blog' } });
    await controller.session(SESSION_EVENT);
    expect(record).toHaveBeenCalledWith({
      actor: { id: 11, username: 'alice', ip: '203.0.113.9' },
      action: 'shell.exec.start',
      site: { id: 7, name: 'blog' },
      details: { addressReportedBy: 'shell', command: 'ls -la' },
    });
  });

  it('records a session of a user and site that are gone by their ids', async () => {
    const { controller, record } = controllerWith();
    const { command: _command, ...withoutCommand } = SESSION_EVENT;
    await controller.session({ ...withoutCommand, kind: 'shell', event: 'end' });
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        actor: expect.objectContaining({ username: 'user 11' }),
        site: null,
        details: { addressReportedBy: 'shell' },
      }),
    );
  });

  it('checks a session event before looking anything up', async () => {
    const { controller, record } = controllerWith({}, { user: { username: 'alice' }, site: { id: 7, name: 'blog' } });
    expect(await bodyTable(SESSION_EVENT, (body) => controller.session(body), record)).toMatchSnapshot();
  });
});
