import type { ReactNode } from 'react';
import type { SiteView } from '../../api/types';

/** Where a domain's DNS must point: at the site's own hostname (CNAME), which leads to the router. */
export function DnsHint({ site }: { site: SiteView }): ReactNode {
  const ownHostname = hostnameOf(site.url);
  return (
    <div className="notice notice-info">
      Point each domain's DNS at this platform's router: a <strong>CNAME</strong> record to <code className="mono">{ownHostname}</code> (the
      site's own address), or an A/AAAA record to the address that name resolves to. A new domain is routed once you prove you control it
      with the <strong>TXT</strong> record shown under it; its HTTPS certificate follows once its DNS leads here.
    </div>
  );
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
