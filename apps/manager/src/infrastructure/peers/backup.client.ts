import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import {
  backupRestoreResultSchema,
  DaisError,
  loadOwnPrivateKey,
  signRequest,
  type BackupRestoreResult,
  type SignerIdentity,
} from '@dais/shared';
import type { ManagerConfig } from '../../config/manager.config';
import { readAll, safeJson, streamedExchange } from './streamed-exchange';

/** The peers a backup reads from and a restore writes to. */
export type BackupPeer = 'orchestrator' | 'router';

/** Longest one part of a backup may stream (a large site folder or database). */
const TRANSFER_TIMEOUT_MS = 6 * 60 * 60_000;

/**
 * Signed streaming calls to the `/v1/backup/…` routes of orchestrator and router. Like the file
 * client's transfers: a JSON body is signed with its digest; a streamed body is signed with an
 * empty digest and what must be checked (SHA-256, size) goes in the signed query.
 */
export class BackupClient {
  private readonly identity: SignerIdentity;

  constructor(private readonly config: ManagerConfig) {
    this.identity = { callerId: 'manager', privateKey: loadOwnPrivateKey(config.keys.dir, 'manager') };
  }

  /** A streamed answer (tar or SQL) to a GET, or to a POST with a JSON body. */
  async download(peer: BackupPeer, method: 'GET' | 'POST', path: string, json?: unknown): Promise<IncomingMessage> {
    return this.send(peer, method, path, json === undefined ? undefined : { json });
  }

  /** Streams `body` to a PUT and returns what was restored. */
  async upload(peer: BackupPeer, path: string, body: Readable, contentType: string): Promise<BackupRestoreResult> {
    const response = await this.send(peer, 'PUT', path, { stream: body, contentType });
    const parsed = backupRestoreResultSchema.safeParse(safeJson(await readAll(response)));
    if (!parsed.success)
      throw new DaisError('PEER_ERROR', `The ${peer} sent an answer that does not match the backup contract for PUT ${path}.`);
    return parsed.data;
  }

  private async send(
    peer: BackupPeer,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: { json: unknown } | { stream: Readable; contentType: string },
  ): Promise<IncomingMessage> {
    const target = this.config[peer];
    const json = body && 'json' in body ? JSON.stringify(body.json) : undefined;
    const headers: Record<string, string> = signRequest(this.identity, { audience: target.id, method, path, body: json ?? '' });
    if (json !== undefined)
      Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) });
    if (body && 'stream' in body) headers['content-type'] = body.contentType;
    return streamedExchange({
      peer,
      peerUrl: target.url,
      url: new URL(path, target.url),
      method,
      headers,
      tls: this.config.peerTls,
      timeoutMs: TRANSFER_TIMEOUT_MS,
      ...(body && 'stream' in body ? { body: body.stream } : json === undefined ? {} : { body: json }),
    });
  }
}
