import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  DaisError,
  parseInput,
  siteDatabaseBackupRequestSchema,
  siteDatabaseRestoreQuerySchema,
  siteIdParamsSchema,
  type BackupRestoreResult,
} from '@dais/shared';
import type { DatabaseDumpAdapter } from '../databases/database-dump.adapter';
import { packSiteFolder, restoreSiteFolder, type SiteFolderProvider } from '../files';

/**
 * `/v1/backup/…`: what `dais-admin backup` and `restore` pull from and push to an app host (the
 * manager alone may call it: docs/backup.md). Site files travel as tar, site databases as the
 * engine's own SQL dump. Bodies sent here are streams signed with an empty digest; the database
 * load checks the SHA-256 and size from the signed query before it commits.
 */
export function registerBackupRoutes(app: FastifyInstance, folders: SiteFolderProvider, dumps: DatabaseDumpAdapter): void {
  const siteIdOf = (params: unknown) => parseInput(siteIdParamsSchema, params, 'path').siteId;

  app.get('/v1/backup/sites/:siteId/files', async (request, reply) => {
    const folder = folders.of(siteIdOf(request.params));
    return reply.type('application/x-tar').send(packSiteFolder(folder));
  });

  app.post('/v1/backup/databases/:siteId/dump', async (request, reply: FastifyReply) => {
    const backup = parseInput(siteDatabaseBackupRequestSchema, request.body, 'database backup');
    assertSameSite(siteIdOf(request.params), backup.siteId);
    const dump = await dumps.dump(backup.connection);
    const stream = dump.open();
    stream.once('close', () => void dump.dispose());
    return reply.type('application/sql').header('content-length', dump.size).send(stream);
  });

  void app.register((uploads, _options, registered) => {
    // Bodies stay streams: they go to the site folder or the load tool as they arrive.
    uploads.addContentTypeParser(['application/x-tar', 'application/sql'], (_request, payload, done) => done(null, payload));

    uploads.put('/v1/backup/sites/:siteId/files', async (request): Promise<BackupRestoreResult> => {
      const folder = folders.of(siteIdOf(request.params));
      return restoreSiteFolder(folder, streamOf(request.body));
    });

    uploads.put('/v1/backup/databases/:siteId/restore', async (request): Promise<BackupRestoreResult> => {
      const query = parseInput(siteDatabaseRestoreQuerySchema, request.query, 'query');
      const backup = parseInput(siteDatabaseBackupRequestSchema, decodeRequest(query.request), 'database restore');
      assertSameSite(siteIdOf(request.params), backup.siteId);
      await dumps.load(backup.connection, streamOf(request.body).pipe(checked(query.sha256, query.size)));
      return { entries: 1 };
    });
    registered();
  });
}

function streamOf(body: unknown): Readable {
  if (!(body instanceof Readable))
    throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the archive as application/x-tar or application/sql.');
  return body;
}

function decodeRequest(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new DaisError('VALIDATION_FAILED', 'The request parameter is not base64url JSON.');
  }
}

/** Passes the bytes on, failing at the end (before the load tool sees its input end) unless they are the announced ones. */
function checked(sha256: string, size: number): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      seen += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      const digest = hash.digest('hex');
      if (seen === size && digest === sha256) callback();
      else
        callback(
          new DaisError(
            'BACKUP_ARCHIVE_INVALID',
            `The dump arrived with ${seen} bytes and SHA-256 ${digest}, not the ${size} bytes signed.`,
          ),
        );
    },
  });
}

function assertSameSite(pathId: number, bodyId: number): void {
  if (bodyId !== pathId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${bodyId} does not match path id ${pathId}.`);
}
