import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from '../config/load-config';
import { loadPrivateKey, loadPublicKey } from './keys';
import type { RouteRule } from './route-allowlist';
import type { TrustedCaller } from './verify';

/**
 * Where setup keeps a component's keys: `<keys>/private/<id>.key` (only that component reads it)
 * and `<keys>/public/<id>.pub` (anyone who verifies its requests).
 */
export function keyFilePaths(keysDir: string, componentId: string): { privateKey: string; publicKey: string } {
  return { privateKey: join(keysDir, 'private', `${componentId}.key`), publicKey: join(keysDir, 'public', `${componentId}.pub`) };
}

/** Builds the verifier's caller list from an allow-list table, loading each caller's public key. */
export function loadTrustedCallers(keysDir: string, routes: Readonly<Partial<Record<string, readonly RouteRule[]>>>): TrustedCaller[] {
  return Object.entries(routes).flatMap(([id, allowedRoutes]) =>
    allowedRoutes ? [{ id, publicKey: keyFile(keyFilePaths(keysDir, id).publicKey, loadPublicKey), allowedRoutes }] : [],
  );
}

/** Loads a component's own signing key. */
export function loadOwnPrivateKey(keysDir: string, componentId: string): KeyObject {
  return keyFile(keyFilePaths(keysDir, componentId).privateKey, loadPrivateKey);
}

/**
 * A key file is part of the configuration (`DAIS_KEYS_DIR`): one that is missing, unreadable or not
 * an Ed25519 key stops the component with a ConfigError saying which file and why, not a stack trace.
 */
function keyFile(file: string, load: (file: string) => KeyObject): KeyObject {
  try {
    return load(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'is missing (setup writes the keys)'
        : code === 'EACCES'
          ? 'cannot be read by this user'
          : code?.startsWith('E') && !code.startsWith('ERR_')
            ? `cannot be read (${code})`
            : 'is not an Ed25519 key in PEM form';
    throw new ConfigError([`DAIS_KEYS_DIR: ${file} ${why}`]);
  }
}
