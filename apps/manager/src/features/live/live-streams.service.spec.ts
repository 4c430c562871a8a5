import type { LiveClosed, LiveOpen } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { OrchestratorStreams } from '../../infrastructure/peers/orchestrator-streams';
import type { SiteRepository, SiteViewer } from '../sites/site.repository';
import { LiveStreamsService, type LiveSink } from './live-streams.service';

const owner: AuthenticatedUser = { id: 1, username: 'olga', role: 'user', ip: null, session: null };
const admin: AuthenticatedUser = { id: 9, username: 'root', role: 'admin', ip: null, session: null };

/** Site 5, owned by olga, locked or not; an orchestrator whose streams only count closes. */
function setup() {
  const site = { id: 5, name: 'blog', state: 'active', availability: 'enabled' };
  const members = new Set([1]);
  const upstreamClosed: string[] = [];
  const sites = {
    findVisible: (_id: number, viewer: SiteViewer) => Promise.resolve(viewer.role === 'admin' || members.has(viewer.id) ? site : null),
  };
  let opened = 0;
  const orchestrator = {
    open: () => {
      const name = `upstream-${++opened}`;
      return Promise.resolve({ sendInput: () => undefined, sendControl: () => undefined, close: () => upstreamClosed.push(name) });
    },
  };
  const service = new LiveStreamsService(sites as unknown as SiteRepository, orchestrator as unknown as OrchestratorStreams);
  const sink = (id: string) => {
    const closed: LiveClosed[] = [];
    const value: LiveSink = { id, data: () => undefined, message: () => undefined, closed: (event) => closed.push(event) };
    return { value, closed };
  };
  const viewerOf = (id: number): Promise<SiteViewer | null> => Promise.resolve(id === 9 ? admin : id === 1 ? owner : null);
  return { service, site, members, sink, viewerOf, upstreamClosed };
}

const request = (kind: LiveOpen['kind']) => ({ kind, siteId: 5 }) as LiveOpen;

describe('live streams follow access', () => {
  it("closes every stream of a locked site's owners with SITE_LOCKED, keeps an admin's, and refuses new ones", async () => {
    const { service, site, sink, viewerOf, upstreamClosed } = setup();
    const olga = sink('olga-socket');
    const root = sink('root-socket');
    for (const kind of ['terminal', 'logs', 'status', 'files'] as const) await service.open(owner, request(kind), olga.value);
    await service.open(admin, request('terminal'), root.value);
    site.availability = 'disabled';
    await service.recheck({ siteId: 5 }, viewerOf);
    expect(olga.closed.map((event) => event.code)).toEqual(['SITE_LOCKED', 'SITE_LOCKED', 'SITE_LOCKED', 'SITE_LOCKED']);
    expect(root.closed).toEqual([]);
    expect(upstreamClosed).toHaveLength(4);
    await expect(service.open(owner, request('logs'), olga.value)).rejects.toMatchObject({ code: 'SITE_LOCKED' });
  });

  it("closes a removed member's streams of that site, and a disabled user's everywhere", async () => {
    const { service, members, sink, viewerOf } = setup();
    const olga = sink('olga-socket');
    await service.open(owner, request('logs'), olga.value);
    members.delete(1);
    await service.recheck({ userId: 1, siteId: 5 }, viewerOf);
    expect(olga.closed.map((event) => event.code)).toEqual(['SITE_NOT_FOUND']);

    members.add(1);
    await service.open(owner, request('status'), olga.value);
    await service.recheck({ userId: 1 }, () => Promise.resolve(null));
    expect(olga.closed.map((event) => event.code)).toEqual(['SITE_NOT_FOUND', 'UNAUTHENTICATED']);
  });
});
