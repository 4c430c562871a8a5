import { createHash } from 'node:crypto';
import type { RouteSpec } from '../contracts/router';

// Kept out of contracts/router.ts: the dashboard bundles contracts, and this needs node:crypto.
/**
 * SHA-256 of a route state in a canonical form (sites by id, hostname lists sorted), so the same
 * routes give the same digest on the manager and on every router, whatever order they came in.
 */
export function routeStateDigest(routes: Iterable<RouteSpec>): string {
  const sorted = [...routes].sort((a, b) => a.siteId - b.siteId);
  const hash = createHash('sha256');
  for (const spec of sorted) {
    // Tabs and commas never occur in a hostname, so the lines cannot be confused with one another.
    const hostnames = [...spec.hostnames].sort().join(',');
    const certificates = [...spec.certificateHostnames].sort().join(',');
    hash.update(`${spec.siteId}\t${hostnames}\t${certificates}\t${spec.clientMaxBodyMb ?? ''}\n`);
  }
  return hash.digest('hex');
}
