import { describe, expect, it } from 'vitest';
import { loadManagerConfig } from './manager.config';

const load = (env: Record<string, string> = {}) => loadManagerConfig({ DATABASE_URL: 'postgresql://dais@localhost/dais', ...env }).domains;

describe('custom-domain proof settings', () => {
  it('checks new claims every 30 s by default, releases them after 7 days, and asks the system’s nameservers', () => {
    expect(load()).toEqual({
      dnsServers: [],
      dnsTimeoutMs: 5_000,
      checkIntervalMs: 30_000,
      maxCheckIntervalMs: 900_000,
      recheckIntervalMs: 21_600_000,
      releaseMs: 7 * 86_400_000,
      proofGraceMs: 7 * 86_400_000,
      reservedHostnames: [],
    });
  });

  it('takes nameservers with ports, IPv6 in brackets', () => {
    expect(load({ DAIS_DOMAIN_DNS_SERVERS: '192.0.2.53, 192.0.2.54:5353,2001:db8::53,[2001:db8::54]:53' }).dnsServers).toEqual([
      '192.0.2.53',
      '192.0.2.54:5353',
      '2001:db8::53',
      '[2001:db8::54]:53',
    ]);
  });

  it.each(['ns.example.org', '192.0.2.53:0', '192.0.2.53:99999', '192.0.2.53;rm'])('refuses %s as a nameserver', (server) => {
    expect(() => load({ DAIS_DOMAIN_DNS_SERVERS: server })).toThrow(/DAIS_DOMAIN_DNS_SERVERS/);
  });

  it('never lets the backoff cap be shorter than the interval it starts from', () => {
    expect(load({ DAIS_DOMAIN_CHECK_INTERVAL_MS: '600000', DAIS_DOMAIN_CHECK_MAX_INTERVAL_MS: '1000' }).maxCheckIntervalMs).toBe(600_000);
  });
});
