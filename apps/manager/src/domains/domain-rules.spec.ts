import { describe, expect, it } from 'vitest';
import { checkCustomDomain } from './domain-rules';

const member = { sitesDomain: 'dais.example.org', isAdmin: false };
const admin = { sitesDomain: 'dais.example.org', isAdmin: true };

describe('custom domain rules', () => {
  it.each(['www.example.com', 'example.com', 'xn--bcher-kva.example', 'example.org', 'notdais.example.org', 'dais.example.org.evil.net'])(
    'accepts %s for a member',
    (hostname) => {
      expect(checkCustomDomain(hostname, member)).toBeNull();
    },
  );

  it('refuses a wildcard for a member with 403, and accepts it for an admin', () => {
    expect(checkCustomDomain('*.example.com', member)).toMatchObject({ code: 'FORBIDDEN', rule: 'wildcard-admin-only' });
    expect(checkCustomDomain('*.example.com', admin)).toBeNull();
  });

  it.each(['dais.example.org', 'blog.dais.example.org', 'a.b.dais.example.org'])('reserves %s (the sites domain and below)', (hostname) => {
    expect(checkCustomDomain(hostname, admin)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
    expect(checkCustomDomain(hostname, member)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
  });

  it.each(['*.dais.example.org', '*.blog.dais.example.org', '*.example.org'])(
    'reserves the wildcard %s, which would cover sites of the platform',
    (hostname) => {
      expect(checkCustomDomain(hostname, admin)).toMatchObject({ code: 'HOSTNAME_INVALID', rule: 'reserved' });
    },
  );

  it('compares with a sites domain written with capitals or a final dot', () => {
    expect(checkCustomDomain('x.dais.localhost', { sitesDomain: 'Dais.Localhost.', isAdmin: false })).toMatchObject({ rule: 'reserved' });
  });

  it('names the rule and the sites domain in the message', () => {
    expect(checkCustomDomain('blog.dais.example.org', member)?.message).toContain('dais.example.org');
  });
});
