import type { AppHostView, RouterView } from '@dais/shared';
import type { AppHostRecord, RouterRecord } from './fleet-records';

/** A router as the API and the CLI show it. */
export function toRouterView(router: RouterRecord): RouterView {
  const { lastSeen } = router;
  return {
    id: router.id,
    name: router.name,
    url: router.url,
    peerId: router.peerId,
    publicKey: router.publicKey,
    createdAt: router.createdAt.toISOString(),
    lastSeen: { ...lastSeen, lastSeenAt: lastSeen.lastSeenAt?.toISOString() ?? null },
  };
}

/** An app host as the API and the CLI show it. */
export function toAppHostView(host: AppHostRecord): AppHostView {
  return { ...toRouterView(host), runtime: host.runtime, capacity: host.capacity, state: host.state };
}
