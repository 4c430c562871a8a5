import type { availabilitySchema, siteStateSchema, siteTypeSchema } from '@dais/shared';
import type { z } from 'zod';
import type { SealedSecret, SealedSecrets } from '../../infrastructure/secrets/sealed-secret';
import type { DomainRecord } from '../domains/domain';
import type { ImageRecord, JsonValue } from '../images/image';
import type { DatabaseHostRecord } from '../site-databases/database-host-record';

export type SiteType = z.output<typeof siteTypeSchema>;
export type SiteState = z.output<typeof siteStateSchema>;
export type Availability = z.output<typeof availabilitySchema>;

/** A site's database, its password sealed (it opens only where it is needed). */
export interface SiteDatabaseRecord {
  id: number;
  siteId: number;
  hostId: number;
  name: string;
  username: string;
  password: SealedSecret;
  deleting: boolean;
  createdAt: Date;
  host: DatabaseHostRecord;
}

/** A site with everything needed to describe its desired state; secrets stay sealed. */
export interface SiteRecord {
  id: number;
  name: string;
  type: SiteType;
  description: string;
  state: SiteState;
  availability: Availability;
  createdAt: Date;
  updatedAt: Date;
  imageId: number | null;
  packages: string[];
  /** argv arrays, as JSON. */
  setupCommands: JsonValue;
  builtImage: string | null;
  /** name → value, as JSON. */
  env: JsonValue;
  secrets: SealedSecrets;
  memoryMb: number;
  cpus: number;
  pids: number;
  stopped: boolean;
  clientMaxBodyMb: number | null;
  nginxSnippet: string | null;
  diskLimitMb: number | null;
  /** Custom domains, oldest first. */
  domains: DomainRecord[];
  image: ImageRecord | null;
  database: SiteDatabaseRecord | null;
}

/** Changes to a site as the service asks for them; `secrets` in plain text (the repository seals them). */
export interface SiteChanges {
  name?: string | undefined;
  type?: SiteType | undefined;
  description?: string | undefined;
  availability?: Availability | undefined;
  packages?: string[] | undefined;
  setupCommands?: string[][] | undefined;
  env?: Record<string, string> | undefined;
  secrets?: Record<string, string> | undefined;
  /** The catalogue image to run (the form the repository writes it in). */
  image?: { connect: { id: number } } | undefined;
  memoryMb?: number | undefined;
  cpus?: number | undefined;
  pids?: number | undefined;
  stopped?: boolean | undefined;
  clientMaxBodyMb?: number | null | undefined;
  nginxSnippet?: string | null | undefined;
  diskLimitMb?: number | null | undefined;
}
