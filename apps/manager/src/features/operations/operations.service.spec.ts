import { isDaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { SiteRepository, SiteViewer } from '../sites/site.repository';
import type { OperationLauncher } from './operation-launcher';
import type { OperationRepository } from './operation.repository';
import type { OperationWithSteps } from './operation-view';
import { OperationsService } from './operations.service';

const alice: AuthenticatedUser = { id: 1, username: 'alice', role: 'user', ip: null, session: null };
const admin: AuthenticatedUser = { id: 9, username: 'root', role: 'admin', ip: null, session: null };

const failed = (kind: OperationWithSteps['kind'], requestedById = 1): OperationWithSteps => ({
  id: 30,
  siteId: 5,
  siteName: 'blog',
  kind,
  state: 'failed',
  error: 'boom',
  requestedById,
  createdAt: new Date(0),
  startedAt: new Date(0),
  finishedAt: new Date(0),
  steps: [],
});

/** One failed operation of site 5; alice is a member unless told otherwise, the site locked or not. */
function setup(operation: OperationWithSteps, site: { member: boolean; locked: boolean }) {
  const retried: number[] = [];
  const visible = (viewer: SiteViewer) => viewer.role === 'admin' || site.member;
  const sites = {
    isVisible: (_id: number, viewer: SiteViewer) => Promise.resolve(visible(viewer)),
    findVisible: (_id: number, viewer: SiteViewer) =>
      Promise.resolve(
        visible(viewer) ? { id: 5, name: 'blog', state: 'active', availability: site.locked ? 'disabled' : 'enabled' } : null,
      ),
  };
  const operations = {
    find: () => Promise.resolve(operation),
    resetForRetry: (id: number) => {
      retried.push(id);
      return Promise.resolve(true);
    },
  };
  const launcher = { launch: () => Promise.resolve() };
  const service = new OperationsService(
    operations as unknown as OperationRepository,
    sites as unknown as SiteRepository,
    launcher as unknown as OperationLauncher,
  );
  /** The code of the refusal, or undefined when the retry was accepted. */
  const attempt = (user: AuthenticatedUser) =>
    service.retry(user, 30).then(
      () => undefined,
      (error: unknown) => {
        if (isDaisError(error)) return error.code;
        throw error;
      },
    );
  return { attempt, retried };
}

describe('retrying an operation needs the right to change its site', () => {
  it('lets a member of an unlocked site retry, and an admin anything', async () => {
    const { attempt, retried } = setup(failed('update_site'), { member: true, locked: false });
    expect(await attempt(alice)).toBeUndefined();
    expect(await attempt(admin)).toBeUndefined();
    expect(retried).toEqual([30, 30]);
  });

  it('refuses a member of a locked site, who may still see it, and changes nothing', async () => {
    const { attempt, retried } = setup(failed('update_site'), { member: true, locked: true });
    expect(await attempt(alice)).toBe('SITE_LOCKED');
    expect(retried).toEqual([]);
  });

  it('refuses the person who started it once they are no longer a member', async () => {
    const { attempt, retried } = setup(failed('restart_site'), { member: false, locked: false });
    expect(await attempt(alice)).toBe('SITE_NOT_FOUND');
    expect(retried).toEqual([]);
  });

  it('leaves repairs to admins, as starting one is', async () => {
    const { attempt, retried } = setup(failed('repair_site', 9), { member: true, locked: false });
    expect(await attempt(alice)).toBe('FORBIDDEN');
    expect(await attempt(admin)).toBeUndefined();
    expect(retried).toEqual([30]);
  });
});
