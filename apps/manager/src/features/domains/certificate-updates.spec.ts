import type { CertificateStatus } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { planCertificateUpdates, type DomainCertificateRow } from './certificate-updates';

const domain = (id: number, hostname: string, extra: Partial<DomainCertificateRow> = {}): DomainCertificateRow => ({
  id,
  siteId: 1,
  hostname,
  status: 'active',
  certificateState: 'pending',
  certificateExpiresAt: null,
  certificateMessage: 'A certificate is ordered once the domain is routed.',
  certificateRetryAt: null,
  ...extra,
});

const reported = (hostname: string, extra: Partial<CertificateStatus> = {}): CertificateStatus => ({
  siteId: 1,
  hostname,
  state: 'active',
  expiresAt: '2027-02-27T10:00:00.000Z',
  message: null,
  retryAt: null,
  updatedAt: '2026-11-29T10:00:00.000Z',
  ...extra,
});

describe('planCertificateUpdates', () => {
  it('takes what the router reports for each routed domain', () => {
    const updates = planCertificateUpdates([domain(1, 'shop.example.org')], [reported('shop.example.org')]);
    expect(updates).toEqual([
      {
        domainId: 1,
        siteId: 1,
        data: {
          certificateState: 'active',
          certificateExpiresAt: new Date('2027-02-27T10:00:00.000Z'),
          certificateMessage: null,
          certificateRetryAt: null,
        },
      },
    ]);
  });

  it('changes nothing when the stored state already matches', () => {
    const stored = domain(1, 'shop.example.org', {
      certificateState: 'error',
      certificateMessage: 'shop.example.org has no A or AAAA record.',
      certificateRetryAt: new Date('2026-11-29T11:00:00.000Z'),
    });
    const same = reported('shop.example.org', {
      state: 'error',
      expiresAt: null,
      message: 'shop.example.org has no A or AAAA record.',
      retryAt: '2026-11-29T11:00:00.000Z',
    });
    expect(planCertificateUpdates([stored], [same])).toEqual([]);
  });

  it('leaves a domain the router has not heard of yet alone until it is routed', () => {
    expect(planCertificateUpdates([domain(1, 'new.example.org', { status: 'pending' })], [])).toEqual([]);
  });

  it('clears the certificate of a routed domain the router does not list (wildcards, issuance off)', () => {
    const updates = planCertificateUpdates([domain(1, '*.example.org')], []);
    expect(updates[0]?.data).toEqual({
      certificateState: null,
      certificateExpiresAt: null,
      certificateMessage: null,
      certificateRetryAt: null,
    });
  });

  it('matches on site and hostname: a status for another site is not this domain’s', () => {
    const updates = planCertificateUpdates([domain(1, 'shop.example.org')], [reported('shop.example.org', { siteId: 2 })]);
    expect(updates[0]?.data.certificateState).toBeNull();
  });
});
