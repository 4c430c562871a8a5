import { join } from 'node:path';
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
    allowedRoutes ? [{ id, publicKey: loadPublicKey(keyFilePaths(keysDir, id).publicKey), allowedRoutes }] : [],
  );
}

/** Loads a component's own signing key. */
export function loadOwnPrivateKey(keysDir: string, componentId: string) {
  return loadPrivateKey(keyFilePaths(keysDir, componentId).privateKey);
}
