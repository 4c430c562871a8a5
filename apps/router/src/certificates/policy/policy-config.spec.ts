import { describe, expect, it } from 'vitest';
import { ConfigError } from '@dais/shared';
import { loadRouterConfig } from '../../config/router.config';
import { DEFAULT_BUDGET_LIMITS, isDnsServerAddress } from './policy-config';

const base = { DAIS_STATE_DIR: '/var/lib/dais-test' };

describe('ACME policy configuration', () => {
  it('defaults to a margin under the published limits, pre-flight on, port 80, no private addresses', () => {
    const { acmePolicy } = loadRouterConfig(base);
    expect(acmePolicy.limits).toEqual(DEFAULT_BUDGET_LIMITS);
    expect(acmePolicy.limits).toEqual({
      certificatesPerDomainWeek: 40,
      duplicateCertificatesWeek: 4,
      failedValidationsPerHour: 4,
      ordersPer3Hours: 250,
    });
    expect(acmePolicy.preflight).toEqual({
      enabled: true,
      dnsServer: null,
      httpPort: 80,
      publicHostname: null,
      allowPrivateAddresses: false,
    });
    expect(acmePolicy.budgetFile).toBe('/var/lib/dais-test/router/state/acme-policy/issuance-budget.json');
  });

  it('reads every key', () => {
    const { acmePolicy } = loadRouterConfig({
      ...base,
      DAIS_ROUTER_STATE_ROOT: '/srv/router',
      DAIS_ACME_CERTS_PER_DOMAIN_WEEK: '10',
      DAIS_ACME_DUPLICATE_CERTS_PER_WEEK: '2',
      DAIS_ACME_FAILED_VALIDATIONS_PER_HOUR: '3',
      DAIS_ACME_ORDERS_PER_3H: '50',
      DAIS_ACME_PREFLIGHT_ENABLED: 'false',
      DAIS_ACME_PREFLIGHT_DNS: '127.0.0.1:8053',
      DAIS_ACME_PREFLIGHT_PRIVATE_ADDRESSES: 'yes',
      DAIS_ACME_HTTP_PORT: '5002',
      DAIS_ROUTER_PUBLIC_HOSTNAME: 'Edge.Example.org',
    });
    expect(acmePolicy).toEqual({
      limits: { certificatesPerDomainWeek: 10, duplicateCertificatesWeek: 2, failedValidationsPerHour: 3, ordersPer3Hours: 50 },
      budgetFile: '/srv/router/acme-policy/issuance-budget.json',
      preflight: {
        enabled: false,
        dnsServer: '127.0.0.1:8053',
        httpPort: 5002,
        publicHostname: 'edge.example.org',
        allowPrivateAddresses: true,
      },
    });
  });

  it.each([
    ['DAIS_ACME_CERTS_PER_DOMAIN_WEEK', '0'],
    ['DAIS_ACME_ORDERS_PER_3H', '-1'],
    ['DAIS_ACME_FAILED_VALIDATIONS_PER_HOUR', 'lots'],
    ['DAIS_ACME_PREFLIGHT_ENABLED', 'maybe'],
    ['DAIS_ACME_PREFLIGHT_DNS', 'dns.example.org'],
    ['DAIS_ACME_PREFLIGHT_DNS', '127.0.0.1:99999'],
    ['DAIS_ACME_HTTP_PORT', '0'],
    ['DAIS_ROUTER_PUBLIC_HOSTNAME', 'edge.example.org\nX: y'],
  ])('refuses %s=%j naming the key', (key, value) => {
    expect(() => loadRouterConfig({ ...base, [key]: value })).toThrow(ConfigError);
    expect(() => loadRouterConfig({ ...base, [key]: value })).toThrow(key);
  });
});

describe('isDnsServerAddress', () => {
  it.each(['127.0.0.1', '::1', '127.0.0.1:8053', '[::1]:53', '[2001:db8::1]:5353'])('accepts %s', (value) => {
    expect(isDnsServerAddress(value)).toBe(true);
  });
  it.each(['', 'localhost', '127.0.0.1:', '127.0.0.1:0', '999.1.1.1:53', '[::1]', '::1:53x', '127.0.0.1:53 ', 'http://1.1.1.1'])(
    'refuses %j',
    (value) => {
      expect(isDnsServerAddress(value)).toBe(false);
    },
  );
});
