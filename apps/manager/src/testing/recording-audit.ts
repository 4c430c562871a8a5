import type { AuditEntry, AuditService } from '../features/audit/audit.service';

/** The audit log in memory: what services recorded, in order. */
export class RecordingAudit implements Pick<AuditService, 'record'> {
  readonly entries: AuditEntry[] = [];

  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }

  /** The actions recorded, in order (e.g. `['site.create']`). */
  get actions(): string[] {
    return this.entries.map((entry) => entry.action);
  }
}
