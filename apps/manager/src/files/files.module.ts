import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FilesClient } from '../clients/files.client';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';

/** The site file API (`/api/sites/:id/files…`), relayed to the orchestrator. */
@Module({ controllers: [FilesController], providers: [FilesService, FilesClient] })
export class FilesModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Uploads arrive as `application/octet-stream` and must stay a stream (spooled with a size
   * cap, never buffered whole), so the body is handed to the controller unparsed.
   */
  onModuleInit(): void {
    // Absent when the module is compiled without an HTTP server (a testing module).
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    const fastify = adapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('application/octet-stream')) return;
    fastify.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  }
}
