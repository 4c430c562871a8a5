/** The tables and columns that hold sealed secrets. */
export type SecretColumn = 'Site.secrets' | 'SiteDatabase.password' | 'DatabaseHost.adminPassword';

/**
 * Where a secret is kept: sealed into its ciphertext as associated data, so a ciphertext copied to
 * another row, column or secret name no longer opens.
 */
export interface SecretPlace {
  column: SecretColumn;
  /** `Site.id`, `SiteDatabase.siteId` (known before the row is written) or `DatabaseHost.id`. */
  rowId: number;
  /** The variable's name, for one of a site's secrets. */
  name?: string;
}

/**
 * A secret as PostgreSQL keeps it: `s1:<key id>:<base64url of IV, ciphertext and tag>`, or
 * `plain:<text>` for a value written before secrets were sealed (the manager seals those when it
 * starts). Only the SecretBox turns it into its plain text.
 */
export class SealedSecret {
  constructor(
    readonly stored: string,
    readonly place: SecretPlace,
  ) {}
}

/** What opens sealed secrets (the SecretBox; a fake in unit tests). */
export interface SecretOpener {
  open(secret: SealedSecret): string;
}

/** A site's secrets as stored: names in clear, each value sealed. */
export type SealedSecrets = Readonly<Record<string, SealedSecret>>;

/** Where one of a site's secret variables is kept. */
export const siteSecretPlace = (siteId: number, name: string): SecretPlace => ({ column: 'Site.secrets', rowId: siteId, name });
/** Where a site's database password is kept. */
export const databasePasswordPlace = (siteId: number): SecretPlace => ({ column: 'SiteDatabase.password', rowId: siteId });
/** Where a database host's admin password is kept. */
export const hostPasswordPlace = (hostId: number): SecretPlace => ({ column: 'DatabaseHost.adminPassword', rowId: hostId });

/** The `Site.secrets` JSON of a row as sealed secrets. */
export function sealedSiteSecrets(siteId: number, stored: unknown): SealedSecrets {
  const values = (stored ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, new SealedSecret(value, siteSecretPlace(siteId, name))]));
}

/** A site's secrets in plain text, for the orchestrator (the only one that ever needs them). */
export function openSiteSecrets(opener: SecretOpener, secrets: SealedSecrets): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, opener.open(secret)]));
}

/** Names a place the way an admin reads it in an error message. */
export function describePlace(place: SecretPlace): string {
  switch (place.column) {
    case 'Site.secrets':
      return `the secret ${place.name ?? '?'} of site ${place.rowId}`;
    case 'SiteDatabase.password':
      return `the database password of site ${place.rowId}`;
    case 'DatabaseHost.adminPassword':
      return `the admin password of database host ${place.rowId}`;
  }
}

/** What to do about a secret that cannot be opened. */
export function remedyFor(place: SecretPlace): string {
  switch (place.column) {
    case 'Site.secrets':
      return `set the site's secrets again (PATCH /api/sites/${place.rowId} with "secrets")`;
    case 'SiteDatabase.password':
      return `give it a new one (POST /api/sites/${place.rowId}/database/rotate-password)`;
    case 'DatabaseHost.adminPassword':
      return 'register the host again with its admin password (npm run -s admin -- ensure-database-host)';
  }
}
