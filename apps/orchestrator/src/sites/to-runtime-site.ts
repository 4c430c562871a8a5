import { createHash } from 'node:crypto';
import { databaseUrl, SITE_CONTAINER_PORT, type SiteSpec } from '@dais/shared';
import type { RuntimeSite, SiteCommand } from './runtime-driver';

/** Where a site's folder appears inside its container. */
export const SITE_MOUNT = '/site';

/** The run.sh command, when the site has one. */
export const RUN_SH_COMMAND: SiteCommand = { kind: 'run.sh', entrypoint: ['/bin/sh'], cmd: [`${SITE_MOUNT}/run.sh`] };

/**
 * The container environment, lowest precedence first: the site's variables, its secrets, then
 * what Dais sets (the contract refuses site variables with those names anyway).
 */
export function siteEnvironment(spec: SiteSpec): Record<string, string> {
  const runtime = spec.runtime;
  const env: Record<string, string> = { ...runtime?.env, ...runtime?.secrets };
  env.PORT = String(SITE_CONTAINER_PORT);
  env.HOST = '0.0.0.0';
  env.HOME = `${SITE_MOUNT}/.home`;
  env.SITE_NAME = spec.name;
  const database = runtime?.database;
  if (database) {
    env.DATABASE_URL = databaseUrl(database);
    env.DB_ENGINE = database.engine;
    env.DB_HOST = database.host;
    env.DB_PORT = String(database.port);
    env.DB_NAME = database.name;
    env.DB_USER = database.username;
    env.DB_PASSWORD = database.password;
  }
  return env;
}

/** Resolves a dynamic site's spec into what a runtime runs. */
export function toRuntimeSite(spec: SiteSpec, where: { siteDir: string; uid: number; hasRunScript: boolean }): RuntimeSite {
  const runtime = spec.runtime;
  if (!runtime) throw new Error(`site ${spec.id} is not dynamic`);
  return {
    siteId: spec.id,
    name: spec.name,
    image: runtime.image,
    command: where.hasRunScript ? RUN_SH_COMMAND : { kind: 'image' },
    env: siteEnvironment(spec),
    limits: runtime.limits,
    replicas: runtime.replicas,
    running: spec.availability === 'enabled' && !runtime.stopped,
    siteDir: where.siteDir,
    uid: where.uid,
  };
}

/**
 * A fingerprint of everything that requires replacing the containers when it changes (not
 * `running`, which only starts or stops them). Stored as a label on what the runtime creates.
 */
export function runtimeSpecHash(site: RuntimeSite): string {
  const { running: _running, ...identity } = site;
  const canonical = JSON.stringify(identity, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
