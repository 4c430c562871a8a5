import { describe, expect, it } from 'vitest';
import type { DomainView } from '../../api/types';
import { certificateSummary, isSettling, needsProof, proofTimes, routingStatus, verificationSummary } from './domain-status';

type Verification = DomainView['verification'];

const verifiedByDns: Verification = {
  record: { type: 'TXT', name: '_dais-challenge.www.example.org', value: 'a'.repeat(32) },
  verifiedAt: '2026-11-30T00:00:00.000Z',
  method: 'dns',
  verifiedBy: null,
  checkedAt: '2026-11-30T00:00:00.000Z',
  nextCheckAt: '2026-11-30T06:00:00.000Z',
  problem: null,
  message: null,
  releaseAt: null,
  lapseAt: null,
};

const unverified: Verification = {
  ...verifiedByDns,
  verifiedAt: null,
  method: null,
  checkedAt: null,
  nextCheckAt: '2026-11-30T00:00:20.000Z',
  releaseAt: '2026-12-07T00:00:00.000Z',
};

function domain(overrides: Partial<DomainView> = {}): DomainView {
  return {
    id: 1,
    hostname: 'www.example.org',
    status: 'active',
    statusMessage: null,
    verification: verifiedByDns,
    certificate: null,
    createdAt: '2026-11-30T00:00:00.000Z',
    ...overrides,
  };
}

const certificate = (state: 'pending' | 'active' | 'error', extra: Partial<NonNullable<DomainView['certificate']>> = {}) => ({
  state,
  expiresAt: null,
  message: null,
  retryAt: null,
  ...extra,
});

describe('domain status', () => {
  it('reads routing states in words', () => {
    expect(routingStatus(domain({ status: 'unverified', verification: unverified }))).toEqual({ tone: 'off', label: 'Unverified' });
    expect(routingStatus(domain({ status: 'pending' }))).toEqual({ tone: 'busy', label: 'Pending' });
    expect(routingStatus(domain({ status: 'error' }))).toEqual({ tone: 'bad', label: 'Error' });
  });

  it('says a domain has no certificate yet, and why a wildcard never gets one', () => {
    expect(certificateSummary(domain()).label).toBe('None yet');
    expect(certificateSummary(domain({ hostname: '*.example.org' })).detail).toMatch(/Wildcard/);
  });

  it('shows the expiry of an active certificate and a failed renewal with its next try', () => {
    const summary = certificateSummary(
      domain({
        certificate: certificate('active', {
          expiresAt: '2027-02-01T00:00:00.000Z',
          message: 'renewal failed',
          retryAt: '2026-12-01T10:00:00.000Z',
        }),
      }),
    );
    expect(summary.tone).toBe('ok');
    expect(summary.label).toMatch(/^Active, expires .*2027/);
    expect(summary.detail).toMatch(/^renewal failed Next try /);
  });

  it('shows an error with its message', () => {
    const summary = certificateSummary(domain({ certificate: certificate('error', { message: 'point a CNAME at shop.dais.localhost' }) }));
    expect(summary).toMatchObject({ tone: 'bad', label: 'Error', detail: 'point a CNAME at shop.dais.localhost' });
  });

  it('says how control was proven', () => {
    expect(verificationSummary(domain())).toMatch(/^Verified by its DNS record on /);
    expect(verificationSummary(domain({ verification: { ...verifiedByDns, method: 'admin', verifiedBy: 'ada' } }))).toBe(
      'Verified by hand by ada.',
    );
    expect(verificationSummary(domain({ verification: { ...verifiedByDns, method: 'migrated' } }))).toMatch(/before proofs of control/);
    expect(verificationSummary(domain({ status: 'unverified', verification: unverified }))).toBeNull();
  });

  it('asks for the proof while unverified, or while a verified domain’s record is gone', () => {
    expect(needsProof(domain({ status: 'unverified', verification: unverified }))).toBe(true);
    expect(needsProof(domain({ verification: { ...verifiedByDns, lapseAt: '2026-12-07T00:00:00.000Z' } }))).toBe(true);
    expect(needsProof(domain())).toBe(false);
  });

  it('tells when the next check comes and when an unchecked claim is released', () => {
    const now = Date.parse('2026-11-30T00:00:05.000Z');
    const text = proofTimes(domain({ status: 'unverified', verification: unverified }), now);
    expect(text).toMatch(/^Not checked yet\. Checked again by itself within 15 s\. Released \(removed\) on .* unless verified\.$/);
    const checked = { ...unverified, checkedAt: '2026-11-30T00:00:00.000Z', message: 'NXDOMAIN… released on …' };
    expect(proofTimes(domain({ status: 'unverified', verification: checked }), now)).not.toMatch(/Released/);
  });

  it('has no certificate before the domain is verified', () => {
    expect(certificateSummary(domain({ status: 'unverified', verification: unverified })).detail).toMatch(/once the domain is verified/);
  });

  it('counts a domain as settling while routing or its certificate may still change', () => {
    expect(isSettling(domain({ status: 'unverified', verification: unverified }))).toBe(true);
    expect(isSettling(domain())).toBe(false);
    expect(isSettling(domain({ status: 'pending' }))).toBe(true);
    expect(isSettling(domain({ certificate: certificate('pending') }))).toBe(true);
    expect(isSettling(domain({ certificate: certificate('active', { expiresAt: '2027-02-01T00:00:00.000Z' }) }))).toBe(false);
  });
});
