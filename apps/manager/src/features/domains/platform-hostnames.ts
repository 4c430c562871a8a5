import { isIP } from 'node:net';
import { normalizeHostname } from '@dais/shared';
import type { ManagerConfig } from '../../config/manager.config';
import type { PlatformHostname } from './domain-rules';

/** The host of a URL, or null. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * Every hostname the platform itself answers on, from its configuration: the sites domain, the
 * dashboard (its public URL and allowed origins), the shell, the components' URLs and the admin's
 * own list. IP addresses are left out: they are never valid custom domains anyway.
 */
export function platformHostnames(config: ManagerConfig): PlatformHostname[] {
  const candidates: [string | null, string][] = [
    [config.sites.domain, `the sites domain (every site already answers on <name>.${config.sites.domain})`],
    [hostOf(config.publicUrl), "the dashboard's address"],
    ...config.http.allowedOrigins.map((origin): [string | null, string] => [hostOf(origin), "the dashboard's address"]),
    [config.shell.publicHost, "the shell's address (ssh and sftp)"],
    [hostOf(config.orchestrator.url), "the orchestrator's address"],
    [hostOf(config.router.url), "the router's address"],
    ...config.domains.reservedHostnames.map((name): [string, string] => [name, "one of the platform's own hostnames"]),
  ];
  const seen = new Map<string, PlatformHostname>();
  for (const [candidate, what] of candidates) {
    if (!candidate || isIP(candidate) !== 0) continue;
    const normalized = normalizeHostname(candidate, { minLabels: 1 });
    if (normalized.ok && !seen.has(normalized.hostname)) seen.set(normalized.hostname, { hostname: normalized.hostname, what });
  }
  return [...seen.values()];
}
