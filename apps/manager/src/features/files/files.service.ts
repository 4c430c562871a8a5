import { Injectable } from '@nestjs/common';
import {
  DaisError,
  formBoundaryOf,
  isDaisError,
  type FileChmod,
  type FileDelete,
  type FileFormUploadQuery,
  type FileFormUploadResult,
  type FileList,
  type FileRename,
  type FileResult,
  type FileUploadQuery,
  type FileWrite,
} from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { FilesClient, type FileStream } from '../../infrastructure/peers/files.client';
import { changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository, type SiteRecord } from '../sites/site.repository';
import { spoolUpload, uploadTooLarge, type SpooledUpload } from './upload-spool';

/** An upload as it arrives: its body, the length the client announced (if any) and its media type. */
export interface IncomingUpload {
  body: unknown;
  announcedBytes: number | null;
  contentType: string | null;
}

/**
 * A site's files for its members and admins, relayed to the orchestrator (which confines every
 * path). Reading needs membership; changing also needs the site unlocked, and is audited.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly files: FilesClient,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthenticatedUser, siteId: number, path: string): Promise<FileList> {
    await visibleSite(this.sites, user, siteId);
    return this.files.list(siteId, path);
  }

  async stat(user: AuthenticatedUser, siteId: number, path: string): Promise<FileResult> {
    await visibleSite(this.sites, user, siteId);
    return this.files.stat(siteId, path);
  }

  async download(user: AuthenticatedUser, siteId: number, kind: 'content' | 'archive', path: string): Promise<FileStream> {
    await visibleSite(this.sites, user, siteId);
    return this.files.download(siteId, kind, path);
  }

  async write(user: AuthenticatedUser, siteId: number, write: FileWrite): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const details = { path: write.path, bytes: Buffer.byteLength(write.content, write.encoding) };
    return this.audited(user, site, 'file.write', details, () => this.files.change(siteId, 'write', write));
  }

  /** Checks access and size before storing a byte; then spools, hashes and relays the upload. */
  async upload(user: AuthenticatedUser, siteId: number, target: FileUploadQuery, upload: IncomingUpload): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const spooled = await this.spool(siteId, upload, 'Send the file itself as application/octet-stream.');
    try {
      const details = { path: target.path, bytes: spooled.size, sha256: spooled.sha256 };
      return await this.audited(user, site, 'file.upload', details, () =>
        this.files.upload(siteId, { ...target, size: spooled.size, sha256: spooled.sha256, open: spooled.open }),
      );
    } finally {
      await spooled.remove();
    }
  }

  /**
   * Files from a form into the folder `target.path`. The manager does not read the parts: it
   * relays the very bytes it spooled and hashed, with their boundary, and the orchestrator parses
   * them, checks every name and stores all the files or none.
   */
  async uploadForm(
    user: AuthenticatedUser,
    siteId: number,
    target: FileFormUploadQuery,
    upload: IncomingUpload,
  ): Promise<FileFormUploadResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const boundary = formBoundaryOf(upload.contentType ?? undefined);
    if (boundary === null) throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the files as multipart/form-data with a valid boundary.');
    const spooled = await this.spool(siteId, upload, 'Send the files as multipart/form-data.');
    try {
      const details = { path: target.path, bytes: spooled.size, sha256: spooled.sha256, form: true };
      return await this.audited(
        user,
        site,
        'file.upload',
        details,
        () => this.files.uploadForm(siteId, { ...target, boundary, size: spooled.size, sha256: spooled.sha256, open: spooled.open }),
        (result) => ({ files: result.entries.map((entry) => entry.name) }),
      );
    } finally {
      await spooled.remove();
    }
  }

  /** Refuses an upload announced past the orchestrator's limit before storing a byte, then spools it. */
  private async spool(siteId: number, upload: IncomingUpload, unsupported: string): Promise<SpooledUpload> {
    const { uploadMaxBytes } = await this.files.limits(siteId);
    if (upload.announcedBytes !== null && upload.announcedBytes > uploadMaxBytes) throw uploadTooLarge(uploadMaxBytes);
    if (!isAsyncIterable(upload.body)) throw new DaisError('UNSUPPORTED_MEDIA_TYPE', unsupported);
    return spoolUpload(upload.body, uploadMaxBytes);
  }

  async mkdir(user: AuthenticatedUser, siteId: number, path: string): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    return this.audited(user, site, 'file.mkdir', { path }, () => this.files.change(siteId, 'mkdir', { path }));
  }

  async rename(user: AuthenticatedUser, siteId: number, move: FileRename): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    return this.audited(user, site, 'file.rename', { from: move.from, to: move.to }, () => this.files.change(siteId, 'rename', move));
  }

  async remove(user: AuthenticatedUser, siteId: number, removal: FileDelete): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const details = { path: removal.path, recursive: removal.recursive };
    return this.audited(user, site, 'file.delete', details, () => this.files.change(siteId, 'delete', removal));
  }

  async chmod(user: AuthenticatedUser, siteId: number, change: FileChmod): Promise<FileResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const details = { path: change.path, mode: change.mode.toString(8) };
    return this.audited(user, site, 'file.chmod', details, () => this.files.change(siteId, 'chmod', change));
  }

  /** Runs a change and records it with its outcome, refused or done (and what `describe` adds of a result). */
  private async audited<T>(
    user: AuthenticatedUser,
    site: SiteRecord,
    action: string,
    details: Record<string, unknown>,
    change: () => Promise<T>,
    describe: (result: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    try {
      const result = await change();
      await this.audit.record({ actor: user, action, site, details: { ...details, ...describe(result), outcome: 'ok' } });
      return result;
    } catch (error) {
      const outcome = isDaisError(error) ? error.code : 'INTERNAL';
      await this.audit.record({ actor: user, action, site, details: { ...details, outcome } });
      throw error;
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
