import { describe, expect, it } from 'vitest';
import type { DomainView } from '../../api/types';
import { certificateSummary, isSettling, routingStatus } from './domain-status';

function domain(overrides: Partial<DomainView> = {}): DomainView {
  return {
    id: 1,
    hostname: 'www.example.org',
    status: 'active',
    statusMessage: null,
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

  it('counts a domain as settling while routing or its certificate may still change', () => {
    expect(isSettling(domain())).toBe(false);
    expect(isSettling(domain({ status: 'pending' }))).toBe(true);
    expect(isSettling(domain({ certificate: certificate('pending') }))).toBe(true);
    expect(isSettling(domain({ certificate: certificate('active', { expiresAt: '2027-02-01T00:00:00.000Z' }) }))).toBe(false);
  });
});
