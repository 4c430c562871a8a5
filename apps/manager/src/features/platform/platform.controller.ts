import { Controller, Get } from '@nestjs/common';
import type { PlatformView } from '@dais/shared';
import { PlatformService } from './platform.service';

/** `GET /api/platform`: this installation's addresses and limits, for any signed-in user. */
@Controller('api/platform')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  @Get()
  describe(): Promise<PlatformView> {
    return this.platform.describe();
  }
}
