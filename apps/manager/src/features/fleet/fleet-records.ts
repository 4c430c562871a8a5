import type { AppHostRuntime, AppHostState, FleetComponent, PeerHealth, PeerVersion } from '@dais/shared';

/** What the last health probe saw of a peer (all null before the first). */
export interface LastSeen {
  health: PeerHealth | null;
  version: PeerVersion | null;
  siteCount: number | null;
  /** When the peer last answered a probe. */
  lastSeenAt: Date | null;
  lastError: string | null;
}

/** A router as the registry keeps it. */
export interface RouterRecord {
  id: number;
  name: string;
  url: string;
  /** The id it signs as, and the audience of the manager's requests to it. */
  peerId: string;
  /** Ed25519 public key, PEM (SPKI, canonical spelling). */
  publicKey: string;
  createdAt: Date;
  lastSeen: LastSeen;
}

/** An app host (orchestrator) as the registry keeps it. */
export interface AppHostRecord extends RouterRecord {
  runtime: AppHostRuntime;
  /** The most sites placement may give it. */
  capacity: number;
  state: AppHostState;
}

/** A router to register, as the service decided it. */
export type NewRouter = Pick<RouterRecord, 'name' | 'url' | 'peerId' | 'publicKey'> & { lastSeen?: LastSeen };

/** An app host to register. */
export type NewAppHost = NewRouter & Pick<AppHostRecord, 'runtime' | 'capacity'>;

/** The kind of registry entry, by the peer's component: app hosts are orchestrators. */
export type FleetKind = FleetComponent;

/** The name setup and a first start give the configured orchestrator and router. */
export const LOCAL_PEER_NAME = 'local';
