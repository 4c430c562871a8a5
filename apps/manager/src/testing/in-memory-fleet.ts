import type { AppHostState } from '@dais/shared';
import type { AppHostRecord, LastSeen, NewAppHost, NewRouter, RouterRecord } from '../features/fleet/fleet-records';
import type { FleetRepository, RegistrationClash } from '../features/fleet/fleet.repository';

const NEVER_SEEN: LastSeen = { health: null, version: null, siteCount: null, lastSeenAt: null, lastError: null };

/**
 * The fleet registry in memory, with the real one's rules: names and URLs unique per kind, and an
 * app host with sites (`sitesOn`, arranged by the test) is not removed.
 */
export class InMemoryFleet implements Pick<
  FleetRepository,
  | 'listAppHosts'
  | 'listRouters'
  | 'addAppHost'
  | 'addRouter'
  | 'setAppHostState'
  | 'removeAppHostIfEmpty'
  | 'removeRouter'
  | 'recordAppHostSeen'
  | 'recordRouterSeen'
> {
  readonly appHosts: AppHostRecord[] = [];
  readonly routers: RouterRecord[] = [];
  /** Sites placed on each app host, by name (none unless arranged). */
  readonly sitesOn = new Map<string, number>();
  private nextId = 1;

  listAppHosts(): Promise<AppHostRecord[]> {
    return Promise.resolve(this.appHosts.map((host) => ({ ...host })));
  }

  listRouters(): Promise<RouterRecord[]> {
    return Promise.resolve(this.routers.map((router) => ({ ...router })));
  }

  addAppHost(host: NewAppHost): Promise<AppHostRecord | RegistrationClash> {
    const clash = clashIn(this.appHosts, host);
    if (clash) return Promise.resolve(clash);
    const { lastSeen = NEVER_SEEN, ...fields } = host;
    const record: AppHostRecord = { ...fields, id: this.nextId++, state: 'active', createdAt: new Date(0), lastSeen };
    this.appHosts.push(record);
    return Promise.resolve({ ...record });
  }

  addRouter(router: NewRouter): Promise<RouterRecord | RegistrationClash> {
    const clash = clashIn(this.routers, router);
    if (clash) return Promise.resolve(clash);
    const { lastSeen = NEVER_SEEN, ...fields } = router;
    const record: RouterRecord = { ...fields, id: this.nextId++, createdAt: new Date(0), lastSeen };
    this.routers.push(record);
    return Promise.resolve({ ...record });
  }

  setAppHostState(name: string, state: AppHostState): Promise<AppHostRecord | null> {
    const host = this.appHosts.find((entry) => entry.name === name);
    if (host) host.state = state;
    return Promise.resolve(host ? { ...host } : null);
  }

  removeAppHostIfEmpty(name: string): Promise<{ removed: AppHostRecord } | { sites: number } | null> {
    const index = this.appHosts.findIndex((entry) => entry.name === name);
    if (index < 0) return Promise.resolve(null);
    const sites = this.sitesOn.get(name) ?? 0;
    if (sites > 0) return Promise.resolve({ sites });
    const [removed] = this.appHosts.splice(index, 1);
    return Promise.resolve(removed ? { removed } : null);
  }

  removeRouter(name: string): Promise<RouterRecord | null> {
    const index = this.routers.findIndex((entry) => entry.name === name);
    return Promise.resolve(index < 0 ? null : (this.routers.splice(index, 1)[0] ?? null));
  }

  recordAppHostSeen(id: number, seen: LastSeen): Promise<void> {
    const host = this.appHosts.find((entry) => entry.id === id);
    if (host) host.lastSeen = seen;
    return Promise.resolve();
  }

  recordRouterSeen(id: number, seen: LastSeen): Promise<void> {
    const router = this.routers.find((entry) => entry.id === id);
    if (router) router.lastSeen = seen;
    return Promise.resolve();
  }
}

function clashIn(entries: readonly RouterRecord[], entry: NewRouter): RegistrationClash | null {
  if (entries.some((existing) => existing.name === entry.name)) return 'name-taken';
  if (entries.some((existing) => existing.url === entry.url)) return 'url-taken';
  return null;
}
