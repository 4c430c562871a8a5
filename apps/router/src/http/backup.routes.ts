import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { DaisError, type BackupRestoreResult } from '@dais/shared';
import { packRouterState, restoreRouterState, type RouterStateFolders } from '../backup/router-state-archive';

/**
 * `/v1/backup/state` (manager only, docs/backup.md): the router's ACME account and certificates
 * as tar, out and back in. After a restore the certificates are read again and served at once;
 * the account key is read at the router's next start.
 */
export function registerBackupRoutes(app: FastifyInstance, folders: RouterStateFolders, reload: () => Promise<void>): void {
  app.get('/v1/backup/state', (_request, reply) => reply.type('application/x-tar').send(packRouterState(folders)));

  void app.register((uploads, _options, registered) => {
    uploads.addContentTypeParser('application/x-tar', (_request, payload, done) => done(null, payload));
    uploads.put('/v1/backup/state', async (request): Promise<BackupRestoreResult> => {
      if (!(request.body instanceof Readable)) throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the state as application/x-tar.');
      const result = await restoreRouterState(folders, request.body);
      await reload();
      return result;
    });
    registered();
  });
}
