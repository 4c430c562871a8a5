import { Controller, Get } from '@nestjs/common';
import { Public } from '../features/auth/auth.guard';
import { buildOpenApiDocument } from './openapi/openapi-document';

/** Serves the API description so clients and tools can read it from a running manager. */
@Controller('api/openapi.json')
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Public()
  @Get()
  get(): Record<string, unknown> {
    return this.document;
  }
}
