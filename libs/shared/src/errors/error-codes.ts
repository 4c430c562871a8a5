/**
 * The catalogue of coded errors every Dais component speaks. A code names what went wrong for the
 * caller; its HTTP status and whether a retry can help are fixed here, once, for all components.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, transient: false },
  SITE_NAME_INVALID: { status: 400, transient: false },
  HOSTNAME_INVALID: { status: 400, transient: false },
  IMAGE_PACKAGES_UNSUPPORTED: { status: 400, transient: false },
  /** An admin's nginx snippet uses a directive, value or structure snippets may not have (the message names the line). */
  NGINX_SNIPPET_INVALID: { status: 400, transient: false },
  PAYLOAD_TOO_LARGE: { status: 413, transient: false },
  URI_TOO_LONG: { status: 414, transient: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, transient: false },
  UNAUTHENTICATED: { status: 401, transient: false },
  INVALID_CREDENTIALS: { status: 401, transient: false },
  SIGNATURE_MISSING: { status: 401, transient: false },
  SIGNATURE_INVALID: { status: 401, transient: false },
  SIGNATURE_EXPIRED: { status: 401, transient: false },
  SIGNATURE_REPLAYED: { status: 401, transient: false },
  CALLER_UNKNOWN: { status: 401, transient: false },
  AUDIENCE_MISMATCH: { status: 401, transient: false },
  SHELL_TOKEN_INVALID: { status: 401, transient: false },
  SHELL_TOKEN_EXPIRED: { status: 401, transient: false },
  /** An SSH key sign-in whose signed request or signature does not check out (the manager verifies it, not the shell). */
  SSH_SIGNATURE_INVALID: { status: 401, transient: false },
  /** An SSH key sign-in proof (signed data + signature) that was already used once. */
  SSH_SIGNATURE_REPLAYED: { status: 401, transient: false },
  /** The manager ended this person's access (account disabled, site locked, membership removed, password changed). */
  SESSION_ENDED: { status: 401, transient: false },
  ROUTE_FORBIDDEN: { status: 403, transient: false },
  FORBIDDEN: { status: 403, transient: false },
  CSRF_FAILED: { status: 403, transient: false },
  SITE_LOCKED: { status: 403, transient: false },
  NOT_FOUND: { status: 404, transient: false },
  SITE_NOT_FOUND: { status: 404, transient: false },
  OPERATION_NOT_FOUND: { status: 404, transient: false },
  DATABASE_NOT_FOUND: { status: 404, transient: false },
  DATABASE_HOST_NOT_FOUND: { status: 404, transient: false },
  USER_NOT_FOUND: { status: 404, transient: false },
  MEMBER_NOT_FOUND: { status: 404, transient: false },
  DOMAIN_NOT_FOUND: { status: 404, transient: false },
  SITE_NAME_TAKEN: { status: 409, transient: false },
  DATABASE_EXISTS: { status: 409, transient: false },
  NAME_TAKEN: { status: 409, transient: false },
  EMAIL_TAKEN: { status: 409, transient: false },
  HOSTNAME_CONFLICT: { status: 409, transient: false },
  SITE_BUSY: { status: 409, transient: false },
  OPERATION_NOT_RETRYABLE: { status: 409, transient: false },
  MEMBER_EXISTS: { status: 409, transient: false },
  LAST_MEMBER: { status: 409, transient: false },
  NGINX_CONFIG_REJECTED: { status: 422, transient: false },
  IMAGE_UNAVAILABLE: { status: 422, transient: false },
  RUN_SCRIPT_MISSING: { status: 422, transient: false },
  IMAGE_BUILD_FAILED: { status: 422, transient: false },
  RATE_LIMITED: { status: 429, transient: true },
  INTERNAL: { status: 500, transient: true },
  PEER_ERROR: { status: 502, transient: true },
  PEER_UNAVAILABLE: { status: 503, transient: true },
  /** The store that remembers accepted nonces (Redis, the nonce file) cannot answer: refused rather than risk a replay. */
  REPLAY_CHECK_UNAVAILABLE: { status: 503, transient: true },
  NGINX_RELOAD_FAILED: { status: 503, transient: true },
  DOCKER_UNAVAILABLE: { status: 503, transient: true },
  RUNTIME_FAILED: { status: 502, transient: true },
  /** The Swarm's image registry (DAIS_SWARM_REGISTRY) refused or did not answer a push. */
  REGISTRY_UNAVAILABLE: { status: 503, transient: true },
  /** The host's packet filter could not be set up (builds and Swarm tasks are not started unfenced). */
  FIREWALL_FAILED: { status: 503, transient: true },
  FILESYSTEM_ERROR: { status: 500, transient: true },
  /** A secret kept in PostgreSQL does not open with the manager's keys (altered, moved, or its key is gone). */
  SECRET_UNREADABLE: { status: 500, transient: false },
  DATABASE_CONFLICT: { status: 409, transient: false },
  DATABASE_HOST_REFUSED: { status: 502, transient: false },
  DATABASE_HOST_UNAVAILABLE: { status: 503, transient: true },
  DATABASE_OPERATION_FAILED: { status: 502, transient: true },
  SSH_KEY_INVALID: { status: 400, transient: false },
  SSH_KEY_NOT_FOUND: { status: 404, transient: false },
  SSH_KEY_TAKEN: { status: 409, transient: false },
  SSO_NOT_CONFIGURED: { status: 404, transient: false },
  SSO_STATE_INVALID: { status: 400, transient: false },
  SSO_FAILED: { status: 401, transient: false },
  NO_PASSWORD: { status: 409, transient: false },
  SSO_PROVIDER_UNAVAILABLE: { status: 503, transient: true },
  DATABASE_QUERY_FAILED: { status: 400, transient: false },
  DATABASE_QUERY_TIMEOUT: { status: 422, transient: false },
  FILE_NOT_FOUND: { status: 404, transient: false },
  PATH_FORBIDDEN: { status: 403, transient: false },
  PATH_INVALID: { status: 400, transient: false },
  FILE_EXISTS: { status: 409, transient: false },
  DIRECTORY_NOT_EMPTY: { status: 409, transient: false },
  FILE_TOO_LARGE: { status: 413, transient: false },
  NOT_A_DIRECTORY: { status: 409, transient: false },
  IS_A_DIRECTORY: { status: 409, transient: false },
  SITE_NOT_RUNNING: { status: 409, transient: true },
  SESSION_TIMED_OUT: { status: 408, transient: false },
  /** A custom domain's DNS does not lead to this router (checked before ordering a certificate). */
  DOMAIN_UNREACHABLE: { status: 422, transient: true },
  /** The ACME server refused or failed an order (validation, rate limit, bad answer). */
  ACME_FAILED: { status: 502, transient: true },
  /** The site's disk limit is reached: nothing more fits until files are deleted or an admin raises the limit. */
  SITE_DISK_FULL: { status: 409, transient: false },
  /** A disk limit below what the site already stores. */
  DISK_LIMIT_BELOW_USAGE: { status: 409, transient: false },
  /** A backup archive that is not whole: truncated, altered, an entry missing or unlisted, or an unsafe path. */
  BACKUP_ARCHIVE_INVALID: { status: 422, transient: false },
  /** A backup archive of another kind, another format version, or from newer software than this installation. */
  BACKUP_ARCHIVE_UNSUPPORTED: { status: 422, transient: false },
  /** A restore into an installation that already holds sites (without --force). */
  BACKUP_TARGET_NOT_EMPTY: { status: 409, transient: false },
  /** A dump or load tool (pg_dump, psql, mysqldump, mysql) failed; the message carries its own words. */
  BACKUP_TOOL_FAILED: { status: 502, transient: true },
  /** An app host or router to register does not answer at its URL (nothing is registered). */
  FLEET_PEER_UNREACHABLE: { status: 422, transient: false },
  /** The peer at that URL is not the one named: another id, component or key, or a signature that does not verify. */
  FLEET_IDENTITY_MISMATCH: { status: 422, transient: false },
  /** The peer speaks another fleet protocol than this manager (FLEET_PROTOCOL_VERSION). */
  FLEET_VERSION_INCOMPATIBLE: { status: 422, transient: false },
  /** Another app host or router of the same kind is already registered at that URL. */
  FLEET_ADDRESS_TAKEN: { status: 409, transient: false },
  APP_HOST_NOT_FOUND: { status: 404, transient: false },
  ROUTER_NOT_FOUND: { status: 404, transient: false },
  /** An app host that still has sites cannot be removed until they are moved. */
  APP_HOST_HAS_SITES: { status: 409, transient: false },
} as const satisfies Record<string, { status: number; transient: boolean }>;

/** Every error code a Dais component may answer with. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The HTTP status each error code maps to. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** True when retrying the same request later may succeed. */
export function isTransientCode(code: ErrorCode): boolean {
  return ERROR_CATALOGUE[code].transient;
}

/** Narrows an arbitrary string (e.g. from a peer's response) to a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}
