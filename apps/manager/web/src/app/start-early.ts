import { prefetch } from '../api/prefetch';
import { matchPath } from './router';
import { preloadScreen } from './routes';

/**
 * What a cold load can start before React renders anything: the sign-in check, the current page's
 * code, and the site that page shows. Otherwise each waits for the one before (measured in
 * bench/dashboard.ts: a site page came up ~0.5 s later).
 */
export function startEarly(path: string): void {
  if (path.startsWith('/sign-in')) return;
  prefetch('/api/auth/me');
  preloadScreen(path);
  const siteId = (matchPath('/sites/:siteId', path) ?? matchPath('/sites/:siteId/:tab', path))?.siteId;
  if (siteId && /^[1-9][0-9]{0,9}$/.test(siteId)) prefetch(`/api/sites/${siteId}`);
}
