import { DaisError } from '@dais/shared';
import type { AcceptedUpgrade } from './upgrade-check';

/** The sessions that hold a process (and perhaps a terminal container) for as long as they last. */
const COUNTED: ReadonlySet<AcceptedUpgrade['kind']> = new Set(['terminal', 'shell', 'sftp']);

/**
 * Bounds the process sessions one site holds at once, whoever opens them (the manager's browsers,
 * the shell's SSH users): each may start a container, and the manager's own per-connection limit
 * does not bound the number of connections.
 */
export class SessionQuota {
  private readonly counts = new Map<number, number>();

  constructor(private readonly maxPerSite: number) {}

  /** Counts the session in; returns its release (safe to call more than once). Throws RATE_LIMITED when full. */
  claim(accepted: AcceptedUpgrade): () => void {
    if (!COUNTED.has(accepted.kind)) return () => undefined;
    const siteId = accepted.spec.id;
    const count = this.counts.get(siteId) ?? 0;
    if (count >= this.maxPerSite) {
      throw new DaisError('RATE_LIMITED', `Site ${siteId} already has ${count} open sessions, the most it may have; close one first.`);
    }
    this.counts.set(siteId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(siteId) ?? 1) - 1;
      if (left > 0) this.counts.set(siteId, left);
      else this.counts.delete(siteId);
    };
  }
}
