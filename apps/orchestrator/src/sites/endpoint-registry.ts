/**
 * The `ip:port` addresses each dynamic site's running containers answer on, as last observed.
 * This is observed state, not desired state: it is never saved, only re-observed.
 */
export class EndpointRegistry {
  private readonly endpoints = new Map<number, readonly string[]>();

  /** The site's endpoints (empty when none run). */
  of(siteId: number): readonly string[] {
    return this.endpoints.get(siteId) ?? [];
  }

  /** Records the site's endpoints; true if they differ from before (nginx must be told). */
  update(siteId: number, endpoints: readonly string[]): boolean {
    const sorted = [...endpoints].sort();
    const before = this.of(siteId);
    if (before.length === sorted.length && before.every((endpoint, index) => endpoint === sorted[index])) return false;
    if (sorted.length === 0) this.endpoints.delete(siteId);
    else this.endpoints.set(siteId, sorted);
    return true;
  }

  /** Forgets a site. */
  forget(siteId: number): boolean {
    return this.endpoints.delete(siteId);
  }
}
