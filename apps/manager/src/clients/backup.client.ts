import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  backupRestoreResultSchema,
  DaisError,
  errorBodySchema,
  isErrorCode,
  loadOwnPrivateKey,
  signRequest,
  type BackupRestoreResult,
  type OutboundTls,
  type SignerIdentity,
} from '@dais/shared';
import type { ManagerConfig } from '../config/manager.config';

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
    const url = new URL(path, target.url);
    const tls: OutboundTls | object = url.protocol === 'https:' ? this.config.peerTls : {};
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method, headers, timeout: TRANSFER_TIMEOUT_MS, ...tls },
        resolve,
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      if (body && 'stream' in body) pipeline(body.stream, request).catch(reject);
      else request.end(json);
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : 'unknown error';
      throw new DaisError('PEER_UNAVAILABLE', `Could not reach the ${peer} (${target.url}): ${reason}.`, undefined, { cause: error });
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw peerError(peer, status, safeJson(await readAll(response)));
    return response;
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function peerError(peer: BackupPeer, status: number, json: unknown): DaisError {
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success && isErrorCode(parsed.data.error.code) && parsed.data.error.code !== 'INTERNAL') {
    return new DaisError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
  }
  return new DaisError('PEER_ERROR', `The ${peer} answered HTTP ${status} without a Dais error body.`);
}
