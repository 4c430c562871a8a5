import { useEffect, useRef } from 'react';
import { useApi } from '../../api/use-api';
import type { ApiError } from '../../api/api-error';
import type { DomainView, SiteView } from '../../api/types';
import { isSettling } from './domain-status';

/** How often domains that are still settling (routing or certificate) are read again. */
const SETTLING_REFRESH_MS = 10_000;

export interface SiteDomains {
  domains: DomainView[];
  error: ApiError | null;
  /** Shows a domain the screen just added, before the next read. */
  adopt: (domain: DomainView) => void;
}

/**
 * The site's custom domains with their certificates. The site object (live from SiteFrame) says when
 * routing changed; certificates change on the router's schedule, so settling domains are re-read.
 */
export function useSiteDomains(site: SiteView): SiteDomains {
  const resource = useApi<{ domains: DomainView[] }>(`/api/sites/${site.id}/domains`);
  const { reload, set } = resource;
  const changeKey = `${site.operation?.id ?? 0}:${site.operation?.state ?? ''}:${site.domains.map((d) => `${d.id}=${d.status}`).join(',')}`;
  const firstKey = useRef(changeKey);

  useEffect(() => {
    // The first read is useApi's own; read again only when the site says something changed.
    if (changeKey !== firstKey.current) void reload();
  }, [changeKey, reload]);

  const domains = resource.data?.domains ?? site.domains;
  const settling = domains.some(isSettling);
  useEffect(() => {
    if (!settling) return undefined;
    const timer = window.setInterval(() => void reload(), SETTLING_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [settling, reload]);

  return {
    domains,
    error: resource.error,
    adopt: (domain) => set((current) => ({ domains: [...(current?.domains ?? []).filter((d) => d.id !== domain.id), domain] })),
  };
}
