import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { matchPath } from './router';
import { SitesScreen } from '../screens/sites/SitesScreen';
import { RedirectToSites } from '../screens/sites/RedirectToSites';
import type { ScreenProps } from './screen-props';

type Screen = ComponentType<ScreenProps> | LazyExoticComponent<ComponentType<ScreenProps>>;
type ScreenModule = { default: ComponentType<ScreenProps> };

/** Loaders of the lazily loaded screens, to start one early (see {@link preloadScreen}). */
const loaders = new Map<Screen, () => Promise<ScreenModule>>();

/** A screen loaded when first shown; the loader runs once (its promise is kept). */
function lazyScreen(load: () => Promise<ScreenModule>): Screen {
  let loading: Promise<ScreenModule> | null = null;
  const once = (): Promise<ScreenModule> => (loading ??= load());
  const screen = lazy(once);
  loaders.set(screen, once);
  return screen;
}

/**
 * Every page of the dashboard. Only the site list is in the first bundle; the others (the editor with
 * CodeMirror, the terminal with xterm.js, forms with the server's zod rules) load when first opened.
 */
const ROUTES: readonly { pattern: string; screen: Screen; admin?: boolean }[] = [
  { pattern: '/', screen: RedirectToSites },
  { pattern: '/sites', screen: SitesScreen },
  { pattern: '/sites/new', screen: lazyScreen(() => import('../screens/sites/CreateSiteScreen')) },
  { pattern: '/sites/:siteId', screen: lazyScreen(() => import('../screens/site/SiteOverviewScreen')) },
  { pattern: '/sites/:siteId/files', screen: lazyScreen(() => import('../screens/site-files/SiteFilesScreen')) },
  { pattern: '/sites/:siteId/terminal', screen: lazyScreen(() => import('../screens/site-terminal/SiteTerminalScreen')) },
  { pattern: '/sites/:siteId/logs', screen: lazyScreen(() => import('../screens/site-logs/SiteLogsScreen')) },
  { pattern: '/sites/:siteId/domains', screen: lazyScreen(() => import('../screens/site-domains/SiteDomainsScreen')) },
  { pattern: '/sites/:siteId/database', screen: lazyScreen(() => import('../screens/site-database/SiteDatabaseScreen')) },
  { pattern: '/sites/:siteId/settings', screen: lazyScreen(() => import('../screens/site-settings/SiteSettingsScreen')) },
  { pattern: '/account', screen: lazyScreen(() => import('../screens/account/AccountScreen')) },
  { pattern: '/admin', screen: lazyScreen(() => import('../screens/admin/AdminScreen')), admin: true },
  { pattern: '/admin/:section', screen: lazyScreen(() => import('../screens/admin/AdminScreen')), admin: true },
];

/** The screen for a path, with its parameters; admin pages only for admins. */
export function routeFor(location: string, admin: boolean): { screen: Screen; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    if (route.admin && !admin) continue;
    const params = matchPath(route.pattern, location);
    if (params) return { screen: route.screen, params };
  }
  return null;
}

/**
 * Starts loading the screen of a path at once, while the app still asks who is signed in, so a cold
 * load of a deep link does not wait for the two one after the other.
 */
export function preloadScreen(location: string): void {
  for (const route of ROUTES) {
    if (!matchPath(route.pattern, location)) continue;
    void loaders
      .get(route.screen)?.()
      .catch(() => undefined); // a failure shows when the screen renders
    return;
  }
}
