import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { FileIssuanceBudget } from './issuance-budget';
import { DEFAULT_BUDGET_LIMITS, type BudgetLimits } from './policy-config';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const start = new Date('2026-11-24T10:00:00Z');
const at = (ms: number): Date => new Date(start.getTime() + ms);

let dir: string;
let file: string;
let warnings: { details: Record<string, unknown>; message: string }[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-budget-'));
  file = join(dir, 'acme-policy', 'issuance-budget.json');
  warnings = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function open(limits: Partial<BudgetLimits> = {}, now = start): Promise<FileIssuanceBudget> {
  return FileIssuanceBudget.open({
    file,
    limits: { ...DEFAULT_BUDGET_LIMITS, ...limits },
    log: { warn: (details, message) => warnings.push({ details, message }) },
    now,
  });
}

describe('certificates per registered domain per 7 days', () => {
  it('defers the 41st certificate for a domain until the oldest leaves the window, saying why', async () => {
    const budget = await open();
    for (let i = 0; i < 40; i += 1) {
      expect(budget.check([`s${i}.example.org`], at(i * HOUR))).toEqual({ allowed: true });
      await budget.recordIssued([`s${i}.example.org`], at(i * HOUR));
    }
    const decision = budget.check(['new.example.org'], at(2 * DAY));
    expect(decision).toEqual({
      allowed: false,
      retryAt: new Date('2026-12-01T10:00:00Z'),
      reason:
        "Deferred until 2026-12-01 10:00 UTC: 40 certificates for example.org were issued in the last 7 days, the most Dais orders to stay under Let's Encrypt's limit.",
    });
    expect(budget.check(['new.example.org'], at(7 * DAY - 1)).allowed).toBe(false);
    expect(budget.check(['new.example.org'], at(7 * DAY + 1))).toEqual({ allowed: true });
  });

  it('counts subdomains against the registered domain from the Public Suffix List', async () => {
    const budget = await open({ certificatesPerDomainWeek: 2 });
    await budget.recordIssued(['shop.example.co.uk'], start);
    await budget.recordIssued(['www.example.co.uk', 'api.example.co.uk'], start);
    expect(budget.check(['blog.example.co.uk'], at(HOUR))).toMatchObject({ allowed: false });
    expect(budget.check(['other.co.uk'], at(HOUR))).toEqual({ allowed: true });
    // github.io is in the list's private section: each user's site is its own registered domain.
    await budget.recordIssued(['alice.github.io'], start);
    await budget.recordIssued(['www.alice.github.io'], start);
    expect(budget.check(['bob.github.io'], at(HOUR))).toEqual({ allowed: true });
    expect(budget.check(['shop.alice.github.io'], at(HOUR)).allowed).toBe(false);
  });

  it('blocks a certificate that names a full domain among others', async () => {
    const budget = await open({ certificatesPerDomainWeek: 1 });
    await budget.recordIssued(['example.net'], start);
    const decision = budget.check(['fine.example.com', 'www.example.net'], at(HOUR));
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toContain('for example.net');
  });
});

describe('duplicate certificates per 7 days', () => {
  it('counts the same set of names whatever their order, case or trailing dot', async () => {
    const budget = await open({ duplicateCertificatesWeek: 2 });
    await budget.recordIssued(['a.example.org', 'b.example.org'], start);
    await budget.recordIssued(['B.Example.org.', 'a.example.org'], at(HOUR));
    const decision = budget.check(['b.example.org', 'a.example.org'], at(2 * HOUR));
    expect(decision).toMatchObject({ allowed: false, retryAt: at(7 * DAY) });
    if (!decision.allowed) expect(decision.reason).toContain('exactly a.example.org, b.example.org was issued 2 times');
    expect(budget.check(['a.example.org'], at(2 * HOUR))).toEqual({ allowed: true });
  });
});

describe('failed validations per hostname per hour', () => {
  it('defers a hostname that failed 4 times until the first failure is an hour old', async () => {
    const budget = await open();
    for (let minute = 0; minute < 4; minute += 1) await budget.recordFailedValidation('shop.example.org', at(minute * 60_000));
    const decision = budget.check(['shop.example.org'], at(10 * 60_000));
    expect(decision).toMatchObject({ allowed: false, retryAt: at(HOUR) });
    if (!decision.allowed)
      expect(decision.reason).toMatch(
        /^Deferred until 2026-11-24 11:00 UTC: validation of shop\.example\.org failed 4 times in the last hour/,
      );
    expect(budget.check(['www.example.org'], at(10 * 60_000))).toEqual({ allowed: true });
    expect(budget.check(['shop.example.org'], at(HOUR + 1))).toEqual({ allowed: true });
  });
});

describe('orders per account per 3 hours', () => {
  it('defers every order once the account placed its limit', async () => {
    const budget = await open({ ordersPer3Hours: 3 });
    for (let i = 0; i < 3; i += 1) await budget.recordOrderCreated(at(i * 1000));
    const decision = budget.check(['anything.example.com'], at(HOUR));
    expect(decision).toMatchObject({ allowed: false, retryAt: at(3 * HOUR) });
    if (!decision.allowed) expect(decision.reason).toContain('placed 3 certificate orders in the last 3 hours');
  });

  it('reports the latest moment when several limits are reached', async () => {
    const budget = await open({ ordersPer3Hours: 1, failedValidationsPerHour: 1, certificatesPerDomainWeek: 1 });
    await budget.recordOrderCreated(start);
    await budget.recordFailedValidation('x.example.org', start);
    await budget.recordIssued(['y.example.org'], start);
    expect(budget.check(['x.example.org'], at(1000))).toMatchObject({ allowed: false, retryAt: at(7 * DAY) });
  });
});

describe('persistence', () => {
  it('keeps its counts across a restart, in a private file', async () => {
    const first = await open({ certificatesPerDomainWeek: 2 });
    await first.recordIssued(['a.example.org'], start);
    await first.recordIssued(['b.example.org'], at(HOUR));
    const restarted = await open({ certificatesPerDomainWeek: 2 }, at(2 * HOUR));
    expect(restarted.check(['c.example.org'], at(2 * HOUR))).toMatchObject({ allowed: false, retryAt: at(7 * DAY) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  it('reads back a certificate of 100 long names as it saved it', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.n${i}.example.org`);
    const budget = await open({ duplicateCertificatesWeek: 1 });
    await budget.recordIssued(names, start);
    const restarted = await open({ duplicateCertificatesWeek: 1 });
    expect(warnings).toEqual([]);
    const decision = restarted.check([...names].reverse(), at(HOUR));
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toContain(' and 95 more names was issued 1 time in the last 7 days');
  });

  it('loses no record when many are written at once', async () => {
    const budget = await open({ certificatesPerDomainWeek: 30 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => budget.recordIssued([`s${i}.example.org`], at(i))));
    const restarted = await open({ certificatesPerDomainWeek: 30 });
    expect(restarted.check(['more.example.org'], at(HOUR)).allowed).toBe(false);
    expect((await readdir(join(dir, 'acme-policy'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('prunes entries older than their window from the file', async () => {
    const budget = await open();
    await budget.recordFailedValidation('old.example.org', start);
    await budget.recordIssued(['kept.example.org'], start);
    await budget.recordIssued(['new.example.org'], at(2 * HOUR));
    const saved = await readFile(file, 'utf8');
    expect(saved).not.toContain('old.example.org');
    expect(saved).toContain('kept.example.org');
  });

  it('treats a corrupt file as every limit reached until its last write ages out, and says so', async () => {
    const first = await open();
    await first.recordIssued(['a.example.org'], start);
    await writeFile(file, '{"version":1,"windows":[["certificates",{"events":[["a.exa');
    await utimes(file, at(HOUR), at(HOUR));
    const budget = await open({}, at(2 * HOUR));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('unreadable');
    const decision = budget.check(['unrelated.example.com'], at(3 * HOUR));
    expect(decision).toMatchObject({ allowed: false, retryAt: at(HOUR + 7 * DAY) });
    if (!decision.allowed) expect(decision.reason).toContain('could not be read');
    // Kept for inspection, replaced by a file that remembers the assumption across another restart.
    expect((await readdir(join(dir, 'acme-policy'))).some((name) => name.startsWith('issuance-budget.json.corrupt-'))).toBe(true);
    const restarted = await open({}, at(4 * HOUR));
    expect(restarted.check(['unrelated.example.com'], at(4 * HOUR)).allowed).toBe(false);
    expect(restarted.check(['unrelated.example.com'], at(HOUR + 7 * DAY + 1))).toEqual({ allowed: true });
  });

  it('treats a file of the wrong shape as corrupt, counting from now when its time is in the future', async () => {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ version: 2, windows: [] }));
    await utimes(file, at(30 * DAY), at(30 * DAY));
    const budget = await open({}, start);
    expect(warnings).toHaveLength(1);
    expect(budget.check(['a.example.org'], at(HOUR))).toMatchObject({ allowed: false, retryAt: at(7 * DAY) });
  });

  it('reads "__proto__" as a plain name, polluting nothing', async () => {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"version":1,"windows":[["__proto__",{"events":[["__proto__",[1]]]}]]}');
    const budget = await open();
    expect(warnings).toEqual([]);
    expect(budget.check(['a.example.org'], start)).toEqual({ allowed: true });
    expect(({} as Record<string, unknown>).events).toBeUndefined();
  });
});

describe('hostile and odd hostnames', () => {
  const hostile = [
    '',
    'shop example.org',
    'shop.example.org\r\nX: y',
    'a/b.example.org',
    '..',
    'a..example.org',
    '../etc/passwd',
    `${'a'.repeat(64)}.example.org`,
    `${'a.'.repeat(130)}org`,
    '__proto__',
    '127.0.0.1',
    'example.org:80',
  ];

  it.each(hostile)('rejects %j with HOSTNAME_INVALID and records nothing', async (hostname) => {
    const budget = await open();
    expect(() => budget.check([hostname], start)).toThrow(expect.objectContaining({ code: 'HOSTNAME_INVALID' }));
    await expect(budget.recordIssued(['fine.example.org', hostname], start)).rejects.toSatisfy((error) =>
      isDaisError(error, 'HOSTNAME_INVALID'),
    );
    await expect(budget.recordFailedValidation(hostname, start)).rejects.toSatisfy((error) => isDaisError(error, 'HOSTNAME_INVALID'));
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an order without hostnames', async () => {
    const budget = await open();
    expect(() => budget.check([], start)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('counts international and upper-case spellings of one name together', async () => {
    const budget = await open({ failedValidationsPerHour: 2 });
    await budget.recordFailedValidation('Bücher.Example', start);
    await budget.recordFailedValidation('xn--bcher-kva.example.', start);
    expect(budget.check(['BÜCHER.example'], at(1000)).allowed).toBe(false);
  });

  it('counts a wildcard against its registered domain', async () => {
    const budget = await open({ certificatesPerDomainWeek: 1 });
    await budget.recordIssued(['*.example.org'], start);
    expect(budget.check(['www.example.org'], at(1000)).allowed).toBe(false);
  });
});
