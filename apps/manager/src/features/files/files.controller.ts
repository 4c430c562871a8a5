import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  fileChmodSchema,
  fileDeleteSchema,
  fileFormUploadQuerySchema,
  fileMkdirSchema,
  filePathQuerySchema,
  fileRenameSchema,
  fileUploadQuerySchema,
  fileWriteSchema,
  parseInput,
  pathIdsSchema,
  type FileFormUploadResult,
  type FileList,
  type FileResult,
} from '@dais/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import type { FileStream } from '../../infrastructure/peers/files.client';
import { FilesService, type IncomingUpload } from './files.service';

const siteParams = pathIdsSchema('id');
const siteIdOf = (params: unknown): number => parseInput(siteParams, params, 'path').id;
const pathOf = (query: unknown): string => parseInput(filePathQuerySchema, query, 'query').path;

/** `/api/sites/:id/files…`: a site's files for its members and admins (see docs/files.md). */
@Controller('api/sites/:id/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get()
  list(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown): Promise<FileList> {
    return this.files.list(user, siteIdOf(params), pathOf(query));
  }

  @Get('stat')
  stat(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown): Promise<FileResult> {
    return this.files.stat(user, siteIdOf(params), pathOf(query));
  }

  @Get('content')
  async download(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown, @Res() reply: FastifyReply) {
    const path = pathOf(query);
    return sendDownload(reply, await this.files.download(user, siteIdOf(params), 'content', path), baseName(path));
  }

  @Get('archive')
  async archive(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown, @Res() reply: FastifyReply) {
    const path = pathOf(query);
    return sendDownload(reply, await this.files.download(user, siteIdOf(params), 'archive', path), `${baseName(path)}.zip`);
  }

  /** The raw upload: the body is the file (`application/octet-stream`), streamed, never parsed. */
  @Put('content')
  upload(
    @CurrentUser() user: AuthenticatedUser,
    @Param() params: unknown,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FileResult> {
    return answeringBeforeBodyEnds(request, reply, () =>
      this.files.upload(user, siteIdOf(params), parseInput(fileUploadQuerySchema, query, 'query'), incomingUpload(request)),
    );
  }

  /** Files from a form (`multipart/form-data`) into a folder: spooled and relayed whole, parsed by the orchestrator. */
  @Post('upload')
  @HttpCode(200)
  uploadForm(
    @CurrentUser() user: AuthenticatedUser,
    @Param() params: unknown,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FileFormUploadResult> {
    return answeringBeforeBodyEnds(request, reply, () =>
      this.files.uploadForm(user, siteIdOf(params), parseInput(fileFormUploadQuerySchema, query, 'query'), incomingUpload(request)),
    );
  }

  @Post('write')
  @HttpCode(200)
  write(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<FileResult> {
    return this.files.write(user, siteIdOf(params), parseInput(fileWriteSchema, body, 'file write'));
  }

  @Post('mkdir')
  @HttpCode(200)
  mkdir(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<FileResult> {
    return this.files.mkdir(user, siteIdOf(params), parseInput(fileMkdirSchema, body, 'folder').path);
  }

  @Post('rename')
  @HttpCode(200)
  rename(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<FileResult> {
    return this.files.rename(user, siteIdOf(params), parseInput(fileRenameSchema, body, 'rename'));
  }

  @Post('delete')
  @HttpCode(200)
  remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<FileResult> {
    return this.files.remove(user, siteIdOf(params), parseInput(fileDeleteSchema, body, 'delete'));
  }

  @Post('chmod')
  @HttpCode(200)
  chmod(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<FileResult> {
    return this.files.chmod(user, siteIdOf(params), parseInput(fileChmodSchema, body, 'chmod'));
  }
}

/**
 * Sends a site's file as an attachment of an opaque type, never inline: a site's HTML must not
 * run on the dashboard's origin.
 */
function sendDownload(reply: FastifyReply, download: FileStream, filename: string): FastifyReply {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_') || 'download';
  void reply
    .header('content-type', download.contentType === 'application/zip' ? 'application/zip' : 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store');
  if (download.length !== null) void reply.header('content-length', download.length);
  return reply.send(download.body);
}

function incomingUpload(request: FastifyRequest): IncomingUpload {
  const announced = request.headers['content-length'];
  return {
    body: request.body,
    announcedBytes: announced === undefined ? null : Number(announced),
    contentType: request.headers['content-type'] ?? null,
  };
}

/**
 * Runs an upload; if it is refused before its body ended, discards the rest so the client reads
 * the answer, then closes (lingerOnRefusedBody bounds how long and how much is discarded).
 */
async function answeringBeforeBodyEnds<T>(request: FastifyRequest, reply: FastifyReply, upload: () => Promise<T>): Promise<T> {
  try {
    return await upload();
  } catch (error) {
    if (!request.raw.complete) {
      void reply.header('connection', 'close');
      request.raw.resume();
    }
    throw error;
  }
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? 'site';
}
