/** What every screen receives: the named parts of its route (`/sites/:siteId` → `{siteId}`). */
export type ScreenProps = { params: Record<string, string> };
