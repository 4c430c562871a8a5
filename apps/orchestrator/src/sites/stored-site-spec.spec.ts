import { describe, expect, it } from 'vitest';
import { storedSiteSpecSchema } from './stored-site-spec';

const saved = (snippet: string) => ({
  id: 4,
  name: 'old',
  type: 'static',
  availability: 'enabled',
  hostnames: ['old.dais.localhost'],
  runtime: null,
  nginx: { clientMaxBodyMb: 8, snippet },
});

describe('a site spec read back from disk', () => {
  it('keeps a snippet that passes the check', () => {
    const warnings: object[] = [];
    const spec = storedSiteSpecSchema({ warn: (details) => void warnings.push(details) }).parse(saved('gzip on;'));
    expect(spec.nginx).toEqual({ clientMaxBodyMb: 8, snippet: 'gzip on;' });
    expect(warnings).toEqual([]);
  });

  it('drops a snippet saved before the check that is refused now, keeps the rest, and says so in the log', () => {
    const warnings: object[] = [];
    const spec = storedSiteSpecSchema({ warn: (details) => void warnings.push(details) }).parse(saved('set $x a#; } server {'));
    expect(spec.nginx).toEqual({ clientMaxBodyMb: 8 });
    expect(spec.hostnames).toEqual(['old.dais.localhost']);
    expect(warnings).toEqual([{ siteId: 4, snippet: expect.stringContaining('would close the site’s server block') as unknown }]);
  });
});
