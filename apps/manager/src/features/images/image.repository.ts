import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { ImageRecord } from './image';

/** An image entry as written by an admin. */
export interface NewImage {
  name: string;
  baseImage: string;
  description: string;
  packageUpdate: string[] | null;
  packageInstall: string[] | null;
  runScript: string;
}

/** The image catalogue in PostgreSQL. */
@Injectable()
export class ImageRepository {
  constructor(private readonly prisma: PrismaService) {}

  list(): Promise<ImageRecord[]> {
    return this.prisma.image.findMany({ orderBy: { name: 'asc' } });
  }

  findByName(name: string): Promise<ImageRecord | null> {
    return this.prisma.image.findUnique({ where: { name } });
  }

  /** Adds an image; null if the name is taken. */
  async create(image: NewImage): Promise<ImageRecord | null> {
    try {
      return await this.prisma.image.create({ data: toData(image) });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Creates or replaces an image by name (setup's catalogue). */
  upsert(image: NewImage): Promise<ImageRecord> {
    return this.prisma.image.upsert({ where: { name: image.name }, create: toData(image), update: toData(image) });
  }
}

function toData(image: NewImage): Prisma.ImageCreateInput {
  return {
    ...image,
    packageUpdate: image.packageUpdate ?? Prisma.DbNull,
    packageInstall: image.packageInstall ?? Prisma.DbNull,
  };
}
