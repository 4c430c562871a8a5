import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DaisError,
  fileChmodSchema,
  fileDeleteSchema,
  fileMkdirSchema,
  filePathQuerySchema,
  fileRenameSchema,
  fileWriteSchema,
  FORM_UPLOAD_MAX_FILES,
  formBoundaryOf,
  orchestratorFormUploadQuerySchema,
  orchestratorUploadQuerySchema,
  parseInput,
  siteIdParamsSchema,
  type FileFormUploadResult,
  type FileLimits,
  type FileList,
  type FileResult,
} from '@dais/shared';
import { archiveFolder, openReadStream, storeFormUpload, writeFromStream, type SiteFolder, type SiteFolderProvider } from '../files';

/**
 * The orchestrator's signed site file API (`/v1/sites/:siteId/files/…`). Thin: parse, call the
 * confined {@link SiteFolder}, answer. Uploads are the bodies that are not JSON: streamed as
 * `application/octet-stream` (one file) or `multipart/form-data` (files into a folder), signed
 * with an empty body digest, their SHA-256 and size in the (signed) query string and checked
 * before any file replaces anything.
 */
export function registerFileRoutes(app: FastifyInstance, folders: SiteFolderProvider, limits: FileLimits): void {
  const folderOf = (request: FastifyRequest): SiteFolder => folders.of(parseInput(siteIdParamsSchema, request.params, 'path').siteId);
  const pathOf = (request: FastifyRequest): string => parseInput(filePathQuerySchema, request.query, 'query').path;
  /** Runs a change on the request's site folder; a full disk is told with the site's limit. */
  const changing = async <T>(request: FastifyRequest, change: (folder: SiteFolder) => Promise<T>): Promise<T> => {
    const folder = folderOf(request);
    try {
      return await change(folder);
    } catch (error) {
      throw folder.explain(error);
    }
  };
  const base = '/v1/sites/:siteId/files';

  app.get(`${base}/limits`, () => limits);

  app.get(base, async (request): Promise<FileList> => {
    const folder = folderOf(request);
    const path = folder.realpath(pathOf(request));
    const entries = await folder.list(path);
    return { path, entries, truncated: entries.length >= folder.maxListEntries };
  });

  app.get(`${base}/stat`, async (request): Promise<FileResult> => {
    const folder = folderOf(request);
    const path = folder.realpath(pathOf(request));
    return { path, entry: await folder.stat(path) };
  });

  app.get(`${base}/content`, async (request, reply) => {
    const download = await openReadStream(folderOf(request), pathOf(request));
    return reply.type('application/octet-stream').header('content-length', download.entry.size).send(download.stream);
  });

  app.get(`${base}/archive`, async (request, reply) => {
    const archive = await archiveFolder(folderOf(request), pathOf(request), {
      maxBytes: limits.archiveMaxBytes,
      maxEntries: limits.archiveMaxEntries,
    });
    return reply
      .type('application/zip')
      .header('x-dais-archive-entries', archive.entryCount)
      .header('x-dais-archive-skipped', archive.skipped)
      .send(Readable.from(archive.content));
  });

  app.post(`${base}/write`, (request) =>
    changing(request, async (folder): Promise<FileResult> => {
      const write = parseInput(fileWriteSchema, request.body, 'file write');
      const data = Buffer.from(write.content, write.encoding);
      const entry = await writeFromStream(folder, write.path, [data], { maxBytes: limits.uploadMaxBytes, overwrite: write.overwrite });
      return { path: folder.realpath(write.path), entry };
    }),
  );

  app.post(`${base}/mkdir`, (request) =>
    changing(request, async (folder): Promise<FileResult> => {
      const { path } = parseInput(fileMkdirSchema, request.body, 'folder');
      await folder.mkdir(path);
      return { path: folder.realpath(path), entry: await folder.stat(path) };
    }),
  );

  app.post(`${base}/rename`, (request) =>
    changing(request, async (folder): Promise<FileResult> => {
      const move = parseInput(fileRenameSchema, request.body, 'rename');
      await folder.rename(move.from, move.to, { overwrite: move.overwrite });
      return { path: folder.realpath(move.to), entry: await folder.stat(move.to) };
    }),
  );

  app.post(`${base}/delete`, async (request): Promise<FileResult> => {
    const folder = folderOf(request);
    const removal = parseInput(fileDeleteSchema, request.body, 'delete');
    await folder.remove(removal.path, { recursive: removal.recursive });
    return { path: folder.realpath(removal.path) };
  });

  app.post(`${base}/chmod`, async (request): Promise<FileResult> => {
    const folder = folderOf(request);
    const change = parseInput(fileChmodSchema, request.body, 'chmod');
    await folder.chmod(change.path, change.mode);
    return { path: folder.realpath(change.path), entry: await folder.stat(change.path) };
  });

  void app.register((uploads, _options, registered) => {
    // The body stays a stream: the handler (after the signature check) copies it into the site folder.
    uploads.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    uploads.put(`${base}/content`, async (request, reply) => {
      try {
        return await changing(request, async (folder): Promise<FileResult> => {
          const upload = parseInput(orchestratorUploadQuerySchema, request.query, 'query');
          if (upload.size > limits.uploadMaxBytes) throw uploadTooLarge(limits.uploadMaxBytes);
          if (!isStream(request.body)) throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as application/octet-stream.');
          const entry = await writeFromStream(folder, upload.path, request.body, {
            maxBytes: upload.size,
            overwrite: upload.overwrite,
            sha256: upload.sha256,
          });
          return { path: folder.realpath(upload.path), entry };
        });
      } catch (error) {
        // Refused before the body ended (a full disk): as for forms, lingerOnRefusedBody bounds the rest.
        if (!request.raw.complete) void reply.header('connection', 'close');
        throw error;
      }
    });
    uploads.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));
    uploads.post(`${base}/upload`, async (request, reply): Promise<FileFormUploadResult> => {
      try {
        return await changing(request, (folder) => {
          const { path, ...signed } = parseInput(orchestratorFormUploadQuerySchema, request.query, 'query');
          if (signed.size > limits.uploadMaxBytes) throw uploadTooLarge(limits.uploadMaxBytes);
          // The signed boundary decides how the body is read; a header that disagrees was changed on the way.
          if (formBoundaryOf(request.headers['content-type']) !== signed.boundary || !isStream(request.body)) {
            throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the files as multipart/form-data with the boundary that was signed.');
          }
          return storeFormUpload(folder, request.body, {
            ...signed,
            folder: path,
            maxFiles: FORM_UPLOAD_MAX_FILES,
            maxFileBytes: limits.uploadMaxBytes,
          });
        });
      } catch (error) {
        // Refused before the body ended: the connection is not reused (lingerOnRefusedBody bounds the rest).
        if (!request.raw.complete) void reply.header('connection', 'close');
        throw error;
      }
    });
    registered();
  });
}

function uploadTooLarge(limit: number): DaisError {
  return new DaisError('FILE_TOO_LARGE', `Uploads are limited to ${limit} bytes.`, { limitBytes: limit });
}

function isStream(body: unknown): body is Readable {
  return body instanceof Readable;
}
