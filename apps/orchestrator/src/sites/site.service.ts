import { DaisError, isDaisError, KeyedLock, type SiteApplied, type SiteRemoved, type SiteSpec, type SiteStatus } from '@dais/shared';
import type { DesiredStateTable } from '@dais/nginx';
import type { EndpointRegistry } from './endpoint-registry';
import { toRuntimeSite } from './to-runtime-site';
import type { SiteDirectories } from './site-directories';
import type { RuntimeApplyOptions, SiteRuntimeDriver } from './runtime-driver';
import { composeStatus } from './site-status';

/** What the site service works with. */
export interface SiteServiceDeps {
  files: SiteDirectories;
  table: DesiredStateTable<SiteSpec>;
  runtime: SiteRuntimeDriver;
  endpoints: EndpointRegistry;
  /** Site N runs as uid/gid uidBase + N. */
  uidBase: number;
  /** `nginx -t` on a site's own server block alone (for admin snippets). */
  testOwnBlock(spec: SiteSpec): Promise<void>;
  /** How long to wait for a new container to get an address before routing to it anyway. */
  endpointWaitMs?: number;
}

/**
 * Makes sites on this host look like their desired state: files, containers, routes. Every
 * call carries the full state of one site and is safe to repeat; calls for one site run in turn.
 */
export class SiteService {
  private readonly locks = new KeyedLock<number>();
  /** Why a site's containers could not be started (e.g. nothing to run), shown as its status. */
  private readonly blocked = new Map<number, string>();

  constructor(private readonly deps: SiteServiceDeps) {}

  /** Files first, then the container, then the route, so a route never points at nothing. */
  apply(spec: SiteSpec): Promise<SiteApplied> {
    return this.locks.run(spec.id, async () => {
      if (spec.nginx.snippet !== undefined) await this.deps.testOwnBlock(spec);
      const previous = this.deps.table.get(spec.id);
      const owner = { uid: this.uidOf(spec.id) };
      const { notes, remounted } = await this.deps.files.ensure(spec, owner, () => this.quiesce(spec.id));
      if (spec.runtime) {
        if (spec.runtime.runScript !== null && previous?.type !== 'dynamic')
          await this.deps.files.ensureRunScript(spec.id, spec.runtime.runScript, owner);
        // table.set below renders the route with whatever endpoints this records.
        if (await this.startRuntime(spec, { restart: remounted })) await this.observeEndpoints(spec, { wait: true, rendered: true });
      } else if (previous?.type === 'dynamic') {
        await this.deps.runtime.remove(spec.id);
        this.deps.endpoints.forget(spec.id);
      }
      const nginxGeneration = await this.deps.table.set(spec.id, spec);
      return { siteId: spec.id, hostnames: spec.hostnames, nginxGeneration, notes };
    });
  }

  /** Removes the route first (visitors see 404 at once), then containers, then (unless kept) files. */
  remove(siteId: number, options: { keepFiles?: boolean } = {}): Promise<SiteRemoved> {
    return this.locks.run(siteId, async () => {
      const known = this.deps.table.get(siteId) !== undefined;
      const nginxGeneration = known ? await this.deps.table.set(siteId, null) : this.deps.table.generation;
      const hadContainers = await this.deps.runtime.remove(siteId);
      this.deps.endpoints.forget(siteId);
      this.blocked.delete(siteId);
      const { removed } = options.keepFiles ? { removed: false } : await this.deps.files.remove(siteId);
      return { siteId, removed: known || hadContainers || removed, nginxGeneration };
    });
  }

  /** Restarts a dynamic site's containers (also after a crash, and to pick up a new run.sh). */
  restart(siteId: number): Promise<SiteStatus> {
    return this.locks.run(siteId, async () => {
      const spec = this.get(siteId);
      if (!spec.runtime) throw new DaisError('VALIDATION_FAILED', `Site ${siteId} is static: there is nothing to restart.`);
      if (await this.startRuntime(spec, { restart: true })) await this.observeEndpoints(spec, { wait: true, rendered: false });
      return this.statusNow(siteId);
    });
  }

  /**
   * Brings a site back to its desired state after drift (a site folder replaced by a link, a
   * container removed or replaced by hand, an image changed, run.sh added) and re-observes where
   * it answers. Returns what was repaired in the site's files, as sentences for the owner.
   */
  converge(siteId: number): Promise<string[]> {
    return this.locks.run(siteId, async () => {
      const spec = this.deps.table.get(siteId);
      if (!spec) return [];
      // Self-repair never stops a site to change its disk limit: that waits for the next apply.
      const { notes, remounted } = await this.deps.files.ensure(spec, { uid: this.uidOf(siteId) }, null);
      // A folder mounted just now (after a reboot, say) was empty to containers started before: restart them.
      if (spec.runtime && (await this.startRuntime(spec, { restart: remounted })))
        await this.observeEndpoints(spec, { wait: false, rendered: false });
      return notes;
    });
  }

  /**
   * Removes the containers of a site this host does not hold. Checked under the site's lock: a
   * site being created has containers before it is in the table, and must not be taken for an orphan.
   */
  removeOrphan(siteId: number): Promise<boolean> {
    return this.locks.run(siteId, async () => (this.deps.table.get(siteId) === undefined ? this.deps.runtime.remove(siteId) : false));
  }

  /** The desired state this host holds for a site. */
  get(siteId: number): SiteSpec {
    const spec = this.deps.table.get(siteId);
    if (!spec) throw new DaisError('SITE_NOT_FOUND', `Site ${siteId} is not on this orchestrator.`);
    return spec;
  }

  /** What the site is doing right now. */
  status(siteId: number): Promise<SiteStatus> {
    return this.locks.run(siteId, () => this.statusNow(siteId));
  }

  /** The site's disk limit in MiB when this host enforces one, else null (for error messages). */
  diskLimitMbOf(siteId: number): number | null {
    return this.deps.files.enforcesLimits ? (this.deps.table.get(siteId)?.diskLimitMb ?? null) : null;
  }

  /** Ids of every site this host holds. */
  siteIds(): number[] {
    return [...this.deps.table.state.keys()];
  }

  /** Number of sites this host serves. */
  get count(): number {
    return this.deps.table.state.size;
  }

  private async statusNow(siteId: number): Promise<SiteStatus> {
    const spec = this.deps.table.get(siteId);
    const reason = this.blocked.get(siteId);
    const disk = spec ? await this.deps.files.usage(siteId) : null;
    if (spec?.runtime && reason) {
      return {
        siteId,
        state: 'crashed',
        exitCode: null,
        message: reason,
        restarts: 0,
        endpoints: [],
        image: spec.runtime.image,
        startedAt: null,
        disk,
      };
    }
    const observed = spec?.runtime ? await this.deps.runtime.observe(siteId) : null;
    return composeStatus(spec, siteId, { observed, hasRunScript: await this.deps.files.hasRunScript(siteId), disk });
  }

  /** Stops the site's containers so its folder can be unmounted (a lower disk limit); apply starts them again. */
  private async quiesce(siteId: number): Promise<void> {
    await this.deps.runtime.remove(siteId);
    this.deps.endpoints.forget(siteId);
  }

  /**
   * Applies the runtime; a site with nothing to run is accepted (its route shows "not running")
   * and its status says why, until its owner adds run.sh. Returns whether containers were applied.
   */
  private async startRuntime(spec: SiteSpec, options: RuntimeApplyOptions = {}): Promise<boolean> {
    try {
      await this.deps.runtime.apply(await this.runtimeSiteOf(spec), options);
      this.blocked.delete(spec.id);
      return true;
    } catch (error) {
      if (!isDaisError(error, 'RUN_SCRIPT_MISSING')) throw error;
      this.blocked.set(spec.id, error.message);
      await this.deps.runtime.remove(spec.id);
      this.deps.endpoints.forget(spec.id);
      return false;
    }
  }

  private async runtimeSiteOf(spec: SiteSpec) {
    return toRuntimeSite(spec, {
      siteDir: this.deps.files.siteDir(spec.id),
      uid: this.uidOf(spec.id),
      hasRunScript: await this.deps.files.hasRunScript(spec.id),
    });
  }

  /**
   * Records where the site's containers answer; re-renders nginx if that changed. With `wait`, a
   * just-started site gets a moment to accept connections (Swarm tasks take ~0.5 s to be placed;
   * a program needs time to listen), so its first route already leads to an answer. Probing from
   * here also settles the host's neighbour entry for the new address: without it, nginx's first
   * connection can be dropped and retried a second later. Unless the caller renders next
   * (`rendered`: apply's table.set), a change re-renders the route itself; otherwise a site
   * restarted on new addresses (a crashed one, a Swarm task) would keep its old upstream.
   */
  private async observeEndpoints(spec: SiteSpec, { wait, rendered }: { wait: boolean; rendered: boolean }): Promise<void> {
    const deadline = Date.now() + (wait ? (this.deps.endpointWaitMs ?? 10_000) : 0);
    let observed = await this.deps.runtime.observe(spec.id);
    const shouldRun = spec.availability === 'enabled' && !spec.runtime?.stopped;
    while (shouldRun && (observed.state === 'starting' || observed.state === 'missing') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      observed = await this.deps.runtime.observe(spec.id);
    }
    const changed = this.deps.endpoints.update(spec.id, observed.endpoints);
    if (changed && !rendered && this.deps.table.get(spec.id)) await this.deps.table.reapply();
  }

  private uidOf(siteId: number): number {
    return this.deps.uidBase + siteId;
  }
}
