import { DaisError, KeyedLock, type SiteApplied, type SiteRemoved, type SiteSpec } from '@dais/shared';
import type { DesiredStateTable } from '@dais/nginx';
import type { SiteFiles } from './site-files';

/**
 * Makes sites on this host look like their desired state. Every call carries the full state of
 * one site and is safe to repeat; calls for the same site run one at a time.
 */
export class SiteService {
  private readonly locks = new KeyedLock<number>();

  constructor(
    private readonly files: SiteFiles,
    private readonly table: DesiredStateTable<SiteSpec>,
  ) {}

  /** Ensures the site's folders and its route, in that order, so a route never points at nothing. */
  apply(spec: SiteSpec): Promise<SiteApplied> {
    return this.locks.run(spec.id, async () => {
      await this.files.ensure(spec.id, spec.name);
      const nginxGeneration = await this.table.set(spec.id, spec);
      return { siteId: spec.id, hostnames: spec.hostnames, nginxGeneration };
    });
  }

  /** Removes the route first (visitors see 404 at once), then the files. */
  remove(siteId: number): Promise<SiteRemoved> {
    return this.locks.run(siteId, async () => {
      const known = this.table.get(siteId) !== undefined;
      const nginxGeneration = known ? await this.table.set(siteId, null) : this.table.generation;
      const { removed } = await this.files.remove(siteId);
      return { siteId, removed: known || removed, nginxGeneration };
    });
  }

  /** The desired state this host holds for a site. */
  get(siteId: number): SiteSpec {
    const spec = this.table.get(siteId);
    if (!spec) throw new DaisError('SITE_NOT_FOUND', `Site ${siteId} is not on this orchestrator.`);
    return spec;
  }

  /** Number of sites this host serves. */
  get count(): number {
    return this.table.state.size;
  }
}
