import type { AuditEntry, AuditService } from '../features/audit/audit.service';

/** An audit entry as the log keeps it: the actor's id, name and address, the site's id and name, the details. */
export interface RecordedAuditEntry {
  actor: { id: number | null; username: string; ip: string | null };
  action: string;
  site: { id: number; name: string } | null;
  details: Record<string, unknown>;
}

/**
 * The audit log in memory: what services recorded, in order, keeping only what the real log
 * stores (so a test that looks for a leaked secret looks where a reader of the log would).
 */
export class RecordingAudit implements Pick<AuditService, 'record'> {
  readonly entries: RecordedAuditEntry[] = [];

  record(entry: AuditEntry): Promise<void> {
    this.entries.push({
      actor: { id: entry.actor.id, username: entry.actor.username, ip: entry.actor.ip ?? null },
      action: entry.action,
      site: entry.site ? { id: entry.site.id, name: entry.site.name } : null,
      details: entry.details ?? {},
    });
    return Promise.resolve();
  }

  /** The actions recorded, in order (e.g. `['site.create']`). */
  get actions(): string[] {
    return this.entries.map((entry) => entry.action);
  }
}
