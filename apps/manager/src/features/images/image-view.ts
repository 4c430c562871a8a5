import type { ImageCatalogEntry } from '@dais/shared';
import type { ImageRecord } from './image';

/** The catalogue entry the orchestrator builds a site's image from. */
export function toCatalogEntry(image: ImageRecord): ImageCatalogEntry {
  return {
    name: image.name,
    baseImage: image.baseImage,
    packageUpdate: image.packageUpdate as string[] | null,
    packageInstall: image.packageInstall as string[] | null,
    runScript: image.runScript,
  };
}

/** An image as the API shows it. */
export function toImageView(image: ImageRecord): ImageCatalogEntry & { id: number; description: string } {
  return { id: image.id, description: image.description, ...toCatalogEntry(image) };
}
