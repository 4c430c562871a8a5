import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { matchPath } from './router';
import { SitesScreen } from '../screens/sites/SitesScreen';
import { CreateSiteScreen } from '../screens/sites/CreateSiteScreen';
import { RedirectToSites } from '../screens/sites/RedirectToSites';

import type { ScreenProps } from './screen-props';
type Screen = ComponentType<ScreenProps> | LazyExoticComponent<ComponentType<ScreenProps>>;

/**
 * Every page of the dashboard. The heavy ones (editor with CodeMirror, terminal with xterm.js) are
 * loaded when first opened, so the site list and the site page stay small.
 */
const lazyScreen = (load: () => Promise<{ default: ComponentType<ScreenProps> }>): Screen => lazy(load);

const ROUTES: readonly { pattern: string; screen: Screen; admin?: boolean }[] = [
  { pattern: '/', screen: RedirectToSites },
  { pattern: '/sites', screen: SitesScreen },
  { pattern: '/sites/new', screen: CreateSiteScreen },
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
