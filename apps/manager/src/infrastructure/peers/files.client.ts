import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import {
  DaisError,
  fileFormUploadResultSchema,
  fileLimitsSchema,
  fileListSchema,
  fileResultSchema,
  readAll,
  safeJson,
  type FileFormUploadResult,
  type FileLimits,
  type FileList,
  type FileResult,
  type PeerClient,
} from '@dais/shared';
import type { z } from 'zod';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { managerPeerClient } from './peer-clients';

/** A file or zip streaming from the orchestrator. */
export interface FileStream {
  body: Readable;
  contentType: string;
  /** Bytes announced by the orchestrator (absent for a zip, which is streamed as it is made). */
  length: number | null;
}

/** A spooled body to send: a replayable source of exactly `size` bytes whose SHA-256 is `sha256`. */
interface SpooledBody {
  size: number;
  sha256: string;
  open: () => Readable;
}

/** A raw upload to send: one file, to `path`. */
export interface SignedUpload extends SpooledBody {
  path: string;
  overwrite: boolean;
}

/** A multipart upload to send: a form's files, to the folder `path`, the body as the client sent it. */
export interface SignedFormUpload extends SpooledBody {
  path: string;
  overwrite: boolean;
  boundary: string;
}

/** Longest a file or zip may take to stream between orchestrator and manager. */
const TRANSFER_TIMEOUT_MS = 30 * 60_000;

/**
 * Calls to the orchestrator's site file API, through the manager's signed peer client: downloads
 * and uploads are streams end to end; an upload (raw or multipart) is signed with an empty body
 * digest and carries its SHA-256 and size in the signed query string.
 */
@Injectable()
export class FilesClient {
  private readonly http: PeerClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.http = managerPeerClient(config, config.orchestrator);
  }

  /** The orchestrator's upload and zip limits. */
  limits(siteId: number): Promise<FileLimits> {
    return this.http.call({ method: 'GET', path: `${base(siteId)}/limits`, response: fileLimitsSchema });
  }

  list(siteId: number, path: string): Promise<FileList> {
    return this.http.call({ method: 'GET', path: `${base(siteId)}?${query({ path })}`, response: fileListSchema });
  }

  stat(siteId: number, path: string): Promise<FileResult> {
    return this.http.call({ method: 'GET', path: `${base(siteId)}/stat?${query({ path })}`, response: fileResultSchema });
  }

  /** One of the JSON changes: `write`, `mkdir`, `rename`, `delete`, `chmod`. */
  change(siteId: number, action: 'write' | 'mkdir' | 'rename' | 'delete' | 'chmod', body: unknown): Promise<FileResult> {
    return this.http.call({ method: 'POST', path: `${base(siteId)}/${action}`, body, response: fileResultSchema });
  }

  /** Streams a file (`content`) or a folder as zip (`archive`). */
  async download(siteId: number, kind: 'content' | 'archive', path: string): Promise<FileStream> {
    const response = await this.send('GET', `${base(siteId)}/${kind}?${query({ path })}`);
    const length = response.headers['content-length'];
    return {
      body: response,
      contentType: response.headers['content-type'] ?? 'application/octet-stream',
      length: length === undefined ? null : Number(length),
    };
  }

  /** Sends an upload the manager has already spooled and hashed. */
  async upload(siteId: number, upload: SignedUpload): Promise<FileResult> {
    const search = query({ path: upload.path, overwrite: String(upload.overwrite), sha256: upload.sha256, size: String(upload.size) });
    const response = await this.send('PUT', `${base(siteId)}/content?${search}`, { ...upload, contentType: 'application/octet-stream' });
    return parseAnswer(fileResultSchema, safeJson(await readAll(response)));
  }

  /** Sends a multipart upload the manager has spooled and hashed; its boundary is signed too. */
  async uploadForm(siteId: number, upload: SignedFormUpload): Promise<FileFormUploadResult> {
    const search = query({
      path: upload.path,
      overwrite: String(upload.overwrite),
      sha256: upload.sha256,
      size: String(upload.size),
      boundary: upload.boundary,
    });
    const contentType = `multipart/form-data; boundary="${upload.boundary}"`;
    const response = await this.send('POST', `${base(siteId)}/upload?${search}`, { ...upload, contentType });
    return parseAnswer(fileFormUploadResultSchema, safeJson(await readAll(response)));
  }

  private send(method: 'GET' | 'PUT' | 'POST', path: string, upload?: SpooledBody & { contentType: string }) {
    return this.http.transfer({
      method,
      path,
      idleTimeoutMs: TRANSFER_TIMEOUT_MS,
      ...(upload ? { body: { upload: { body: upload.open(), contentType: upload.contentType, length: upload.size } } } : {}),
    });
  }
}

function base(siteId: number): string {
  return `/v1/sites/${siteId}/files`;
}

function query(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

function parseAnswer<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DaisError('PEER_ERROR', 'The orchestrator sent an answer that does not match the file contract.');
  return parsed.data;
}
