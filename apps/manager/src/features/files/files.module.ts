import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FilesClient } from '../../infrastructure/peers/files.client';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';

/** The site file API (`/api/sites/:id/files…`), relayed to the orchestrator. */
@Module({ controllers: [FilesController], providers: [FilesService, FilesClient], exports: [FilesClient] })
export class FilesModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Uploads arrive as `application/octet-stream` or `multipart/form-data` and must stay a stream
   * (spooled with a size cap, never buffered whole), so the body is handed to the controller
   * unparsed; the orchestrator parses the parts.
   */
  onModuleInit(): void {
    // Absent when the module is compiled without an HTTP server (a testing module).
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    const fastify = adapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    for (const type of ['application/octet-stream', 'multipart/form-data']) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }
  }
}
