import { DaisError, normalizeHostname } from '@dais/shared';
import type { BudgetDecision, IssuanceBudget } from '../certificate-ports';
import { readBudgetFile, writeBudgetFile, type BudgetSnapshot } from './budget-state-file';
import { deferral, type WindowName } from './budget-messages';
import type { BudgetLimits } from './policy-config';
import { registeredDomainOf } from './registered-domain';
import { SlidingWindow } from './sliding-window';

const HOUR_MS = 60 * 60 * 1000;
const WINDOW_MS: Record<WindowName, number> = {
  certificates: 7 * 24 * HOUR_MS,
  duplicates: 7 * 24 * HOUR_MS,
  failedValidations: HOUR_MS,
  orders: 3 * HOUR_MS,
};
/** The single key of the account-wide order window (one ACME account per router). */
const ACCOUNT = 'account';

/** What the budget reports to the router's log. */
export interface BudgetLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/** How to open a {@link FileIssuanceBudget}. */
export interface FileIssuanceBudgetOptions {
  file: string;
  limits: BudgetLimits;
  log: BudgetLog;
  /** The clock at startup (tests inject one; later calls pass `now` themselves). */
  now?: Date;
}

/**
 * An {@link IssuanceBudget} kept in a JSON file, so a restart (or a crash loop) never resets the
 * counts it protects. Windows: certificates per registered domain per 7 days, certificates for the
 * exact same names per 7 days, failed validations per hostname per hour, orders per 3 hours.
 */
export class FileIssuanceBudget implements IssuanceBudget {
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly windows: Record<WindowName, SlidingWindow>,
  ) {}

  /**
   * Loads the saved counts. If the file is unreadable, nothing is known about recent orders, so
   * every window counts as full until the newest event the file could have held has aged out: a
   * corrupt file defers orders for up to a week instead of risking the ACME server's lock-out.
   */
  static async open(options: FileIssuanceBudgetOptions): Promise<FileIssuanceBudget> {
    const now = (options.now ?? new Date()).getTime();
    const contents = await readBudgetFile(options.file, now);
    const saved = contents.status === 'ok' ? contents.windows : undefined;
    const window = (name: WindowName, limit: number): SlidingWindow => SlidingWindow.fromSnapshot(WINDOW_MS[name], limit, saved?.[name]);
    const budget = new FileIssuanceBudget(options.file, {
      certificates: window('certificates', options.limits.certificatesPerDomainWeek),
      duplicates: window('duplicates', options.limits.duplicateCertificatesWeek),
      failedValidations: window('failedValidations', options.limits.failedValidationsPerHour),
      orders: window('orders', options.limits.ordersPer3Hours),
    });
    if (contents.status === 'corrupt') {
      for (const each of Object.values(budget.windows)) each.saturate(contents.lastWrite + each.windowMs);
      options.log.warn(
        {
          file: options.file,
          movedTo: contents.movedTo,
          reason: contents.reason,
          ordersDeferredUntil: new Date(contents.lastWrite + WINDOW_MS.certificates),
        },
        'the ACME issuance budget file is unreadable; assuming every limit was reached until its last counts age out',
      );
      await budget.persist(now);
    }
    return budget;
  }

  check(hostnames: readonly string[], now: Date): BudgetDecision {
    const names = normalizeAll(hostnames);
    const time = now.getTime();
    const candidates: { window: WindowName; key: string }[] = [
      ...[...new Set(names.map(registeredDomainOf))].map((key) => ({ window: 'certificates' as const, key })),
      { window: 'duplicates', key: exactSetKey(names) },
      ...names.map((key) => ({ window: 'failedValidations' as const, key })),
      { window: 'orders', key: ACCOUNT },
    ];
    let latest: { retryAt: number; window: WindowName; key: string } | null = null;
    for (const { window, key } of candidates) {
      const retryAt = this.windows[window].freeAt(key, time);
      if (retryAt !== null && (latest === null || retryAt > latest.retryAt)) latest = { retryAt, window, key };
    }
    if (latest === null) return { allowed: true };
    const window = this.windows[latest.window];
    const retryAt = new Date(latest.retryAt);
    return {
      allowed: false,
      retryAt,
      reason: deferral({ window: latest.window, key: latest.key, limit: window.limit, retryAt, saturated: window.isSaturated(time) }),
    };
  }

  async recordIssued(hostnames: readonly string[], now: Date): Promise<void> {
    const names = normalizeAll(hostnames);
    const time = now.getTime();
    // Let's Encrypt counts a certificate once for each registered domain it names.
    for (const domain of new Set(names.map(registeredDomainOf))) this.windows.certificates.record(domain, time);
    this.windows.duplicates.record(exactSetKey(names), time);
    await this.persist(time);
  }

  async recordFailedValidation(hostname: string, now: Date): Promise<void> {
    const [name] = normalizeAll([hostname]);
    this.windows.failedValidations.record(name ?? hostname, now.getTime());
    await this.persist(now.getTime());
  }

  /** A new order is placed with the ACME account at `now`. */
  async recordOrderCreated(now: Date): Promise<void> {
    this.windows.orders.record(ACCOUNT, now.getTime());
    await this.persist(now.getTime());
  }

  /** Resolves once every write started so far has reached the disk (or failed). */
  async flush(): Promise<void> {
    await this.lastWrite.catch(() => undefined);
  }

  /** Writes are chained so two records never race; each writes the state as it is when its turn comes. */
  private persist(now: number): Promise<void> {
    const write = this.lastWrite
      .catch(() => undefined)
      .then(() => {
        const snapshot: BudgetSnapshot = {};
        for (const [name, window] of Object.entries(this.windows)) {
          window.prune(now);
          snapshot[name] = window.toSnapshot();
        }
        return writeBudgetFile(this.file, snapshot);
      });
    this.lastWrite = write;
    return write;
  }
}

/** Hostnames are validated again here (never trust the caller) and counted in one spelling. */
function normalizeAll(hostnames: readonly string[]): string[] {
  if (hostnames.length === 0) throw new DaisError('VALIDATION_FAILED', 'A certificate needs at least one hostname.');
  return hostnames.map((hostname) => {
    const result = normalizeHostname(hostname, { allowWildcard: true });
    if (!result.ok) throw new DaisError('HOSTNAME_INVALID', result.message, { rule: result.rule });
    return result.hostname;
  });
}

/** Let's Encrypt's "exact set of identifiers": order and case do not matter. */
function exactSetKey(names: readonly string[]): string {
  return [...new Set(names)].sort().join(',');
}
