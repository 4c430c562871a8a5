import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { backupRestoreResultSchema, DaisError, readAll, safeJson, type BackupRestoreResult, type PeerClient } from '@dais/shared';
import type { ManagerConfig } from '../../config/manager.config';
import { managerPeerClient } from './peer-clients';

/** The peers a backup reads from and a restore writes to. */
export type BackupPeer = 'orchestrator' | 'router';

/** Longest one part of a backup may go without a byte moving (a large site folder or database). */
const TRANSFER_TIMEOUT_MS = 6 * 60 * 60_000;

/**
 * Signed streaming calls to the `/v1/backup/…` routes of orchestrator and router. Like the file
 * client's transfers: a JSON body is signed with its digest; a streamed body is signed with an
 * empty digest and what must be checked (SHA-256, size) goes in the signed query.
 */
export class BackupClient {
  private readonly peers: Record<BackupPeer, PeerClient>;

  constructor(config: ManagerConfig) {
    const client = (peer: BackupPeer) => managerPeerClient(config, config[peer], `the ${peer} (${config[peer].url})`);
    this.peers = { orchestrator: client('orchestrator'), router: client('router') };
  }

  /** A streamed answer (tar or SQL) to a GET, or to a POST with a JSON body. */
  download(peer: BackupPeer, method: 'GET' | 'POST', path: string, json?: unknown): Promise<IncomingMessage> {
    return this.peers[peer].transfer({
      method,
      path,
      idleTimeoutMs: TRANSFER_TIMEOUT_MS,
      ...(json === undefined ? {} : { body: { json } }),
    });
  }

  /** Streams `body` to a PUT and returns what was restored. */
  async upload(peer: BackupPeer, path: string, body: Readable, contentType: string): Promise<BackupRestoreResult> {
    const response = await this.peers[peer].transfer({
      method: 'PUT',
      path,
      idleTimeoutMs: TRANSFER_TIMEOUT_MS,
      body: { upload: { body, contentType } },
    });
    const parsed = backupRestoreResultSchema.safeParse(safeJson(await readAll(response)));
    if (!parsed.success)
      throw new DaisError('PEER_ERROR', `The ${peer} sent an answer that does not match the backup contract for PUT ${path}.`);
    return parsed.data;
  }
}
