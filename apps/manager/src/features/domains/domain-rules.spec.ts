import { describe, expect, it } from 'vitest';
import { checkCustomDomain, type PlatformHostname } from './domain-rules';

const reserved: PlatformHostname[] = [
  { hostname: 'dais.example.org', what: 'the sites domain' },
  { hostname: 'panel.example.net', what: "the dashboard's address" },
  { hostname: 'ssh.example.com', what: "the shell's address" },
];
const member = { reserved, isAdmin: false };
const admin = { reserved, isAdmin: true };

describe('custom domain rules', () => {
  it.each(['www.example.com', 'example.com', 'xn--bcher-kva.example', 'example.org', 'notdais.example.org', 'dais.example.org.evil.net'])(
    'accepts %s for a member',
    (hostname) => {
      expect(checkCustomDomain(hostname, member)).toBeNull();
    },
  );

  it('refuses a wildcard for a member with 403, and accepts it for an admin', () => {
    expect(checkCustomDomain('*.example.com', member)).toMatchObject({ code: 'FORBIDDEN', rule: 'wildcard-admin-only' });
    expect(checkCustomDomain('*.shop.example.com', admin)).toBeNull();
  });

  it.each([
    'dais.example.org',
    'blog.dais.example.org',
    'a.b.dais.example.org',
    'panel.example.net',
    'x.panel.example.net',
    'ssh.example.com',
  ])('reserves %s (a platform hostname and below)', (hostname) => {
    expect(checkCustomDomain(hostname, admin)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
    expect(checkCustomDomain(hostname, member)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
  });

  it.each(['*.dais.example.org', '*.blog.dais.example.org', '*.example.org', '*.example.net', '*.example.com'])(
    'reserves the wildcard %s, which would cover a platform hostname',
    (hostname) => {
      expect(checkCustomDomain(hostname, admin)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
    },
  );

  it('names the platform hostname, what it is and how the claim meets it', () => {
    expect(checkCustomDomain('blog.dais.example.org', member)?.message).toMatch(/it is under dais\.example\.org, the sites domain/);
    expect(checkCustomDomain('panel.example.net', member)?.message).toMatch(/it is panel\.example\.net, the dashboard's address/);
    expect(checkCustomDomain('*.example.com', admin)?.message).toMatch(/it covers ssh\.example\.com, the shell's address/);
  });
});
