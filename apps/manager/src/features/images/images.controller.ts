import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { createImageRequestSchema, DaisError, parseInput } from '@dais/shared';
import { assertAdmin, CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ImageRepository } from './image.repository';
import { toImageView } from './image-view';

/** `/api/images`: the catalogue of images dynamic sites run on (everyone reads, admins add). */
@Controller('api/images')
export class ImagesController {
  constructor(private readonly images: ImageRepository) {}

  @Get()
  async list() {
    return { images: (await this.images.list()).map(toImageView) };
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown) {
    assertAdmin(user, 'add images to the catalogue');
    const image = await this.images.create(parseInput(createImageRequestSchema, body, 'image'));
    if (!image) throw new DaisError('NAME_TAKEN', 'An image with this name is already in the catalogue.');
    return toImageView(image);
  }
}
