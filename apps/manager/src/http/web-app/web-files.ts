import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Content types of the files Vite emits into `assets/`, by extension. A name with any other
 * extension is not served, so nothing else that lands in the folder is reachable.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  wasm: 'application/wasm',
};

/**
 * `index-B4x_9a.js`, `codemirror-Dk3.css`: dot-separated runs of letters, digits, `_` and `-`.
 * No slash, backslash, `%`, NUL or empty segment can pass, so `..` and encoded separators cannot
 * climb out of `assets/` whatever the router decoded.
 */
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.([a-z0-9]+)$/;
const MAX_ASSET_NAME_LENGTH = 200;

/** One built file, ready to send. */
export interface WebAsset {
  contentType: string;
  content: Buffer;
}

/** The content type an asset name is served with, or null if the name is not one we serve. */
export function assetContentType(name: string): string | null {
  if (name.length > MAX_ASSET_NAME_LENGTH) return null;
  const extension = ASSET_NAME.exec(name)?.[1];
  return extension !== undefined && Object.hasOwn(CONTENT_TYPES, extension) ? (CONTENT_TYPES[extension] ?? null) : null;
}

/**
 * The dashboard's built files under one root folder (`index.html` and `assets/`). Read on each
 * request: the OS caches them, and a rebuild is served at once without restarting the manager.
 */
export class WebFiles {
  constructor(private readonly root: string) {}

  /** `index.html`, or null when the dashboard has not been built. */
  async index(): Promise<Buffer | null> {
    return readRegularFile(join(this.root, 'index.html'));
  }

  /** A file of `assets/`, or null if the name is not servable or no such file exists. */
  async asset(name: string): Promise<WebAsset | null> {
    const contentType = assetContentType(name);
    if (contentType === null) return null;
    const content = await readRegularFile(join(this.root, 'assets', name));
    return content === null ? null : { contentType, content };
  }
}

/** A regular file's bytes; null if it is missing, a folder or a symbolic link. */
async function readRegularFile(path: string): Promise<Buffer | null> {
  try {
    if (!(await lstat(path)).isFile()) return null;
    return await readFile(path);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
