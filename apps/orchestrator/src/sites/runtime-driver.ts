import type { ResourceLimits } from '@dais/shared';

/** How a site's container starts: its own `run.sh`, or the image's command. */
export type SiteCommand = { kind: 'run.sh'; entrypoint: string[]; cmd: string[] } | { kind: 'image' };

/** Everything a runtime needs to run one dynamic site, already resolved from its spec. */
export interface RuntimeSite {
  siteId: number;
  name: string;
  image: string;
  command: SiteCommand;
  /** The complete environment: Dais's variables, the site's own, its secrets and database. */
  env: Readonly<Record<string, string>>;
  limits: ResourceLimits;
  replicas: number;
  /** False when the site must not run (stopped by its owner, or not served). */
  running: boolean;
  /** Host folder bind-mounted at /site, the only mount. */
  siteDir: string;
  /** uid and gid the site's processes run as. */
  uid: number;
}

/** Options of {@link SiteRuntimeDriver.apply}. */
export interface RuntimeApplyOptions {
  /** Restart the containers even if nothing changed (also revives a crashed site). */
  restart?: boolean;
}

/** What a runtime sees of a site's containers right now. */
export interface RuntimeObservation {
  state: 'running' | 'starting' | 'crashed' | 'stopped' | 'missing';
  /* 'crashed': exited on its own (any exit code); 'stopped': scaled to zero on purpose. */
  exitCode: number | null;
  restarts: number;
  /** `ip:port` addresses that answer for the site (running containers only). */
  endpoints: string[];
  image: string | null;
  startedAt: string | null;
  /** The last lines the site printed, for a crashed site. */
  logTail: string | null;
}

/**
 * Runs dynamic sites: plain containers on this host (`docker`) or Swarm services (`swarm`). Both
 * take the same calls and pass the same tests; the orchestrator never knows which it has.
 */
export interface SiteRuntimeDriver {
  /** Creates what the runtime needs once (a network, a swarm check). */
  prepare(): Promise<void>;
  /**
   * Makes the site's containers match: created when missing, replaced when their spec or image
   * changed, removed when the site must not run. A container that exited on its own (crashed, or
   * its command ended) is left as it is unless `restart` is asked: no endless restarts.
   */
  apply(site: RuntimeSite, options?: RuntimeApplyOptions): Promise<void>;
  /** Removes the site's containers; false if there were none. */
  remove(siteId: number): Promise<boolean>;
  /** The site's containers as they are now. */
  observe(siteId: number): Promise<RuntimeObservation>;
  /** Ids of every site this runtime has containers for (to find orphans). */
  managedSiteIds(): Promise<number[]>;
  /** Calls back with a site id whenever one of its containers changes; returns a function to stop. */
  watch(onSiteChange: (siteId: number) => void): () => void;
}
