/**
 * Site paths as the file API names them: `/` is the site folder, `/public/index.html` a file in it.
 * Paths are only ever built from names with {@link joinPath} and put in a URL with {@link filesUrl},
 * so a name typed by someone (or a hostile file name on disk) stays one name and one query value.
 */

/** The folder's path joined with one entry name: `joinPath('/public', 'a b.html')` → `/public/a b.html`. */
export function joinPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

/** The folder an entry is in (`/` for top-level entries and for `/` itself). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The entry's own name (the last part of its path). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `folder` or lies somewhere under it. */
export function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);
}

export type FilesRoute = '' | 'stat' | 'content' | 'archive' | 'upload' | 'write' | 'mkdir' | 'rename' | 'delete';

/** The manager URL of a file route for this site, the path (if any) encoded as one query value. */
export function filesUrl(siteId: number, route: FilesRoute, path?: string): string {
  const base = `/api/sites/${siteId}/files${route ? `/${route}` : ''}`;
  return path === undefined ? base : `${base}?path=${encodeURIComponent(path)}`;
}

/** C0 controls, DEL and C1 controls, which the API refuses in any name. */
function hasControlCharacter(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Why `name` cannot be one entry name (the API's rules, docs/files.md), or null when it can.
 * Checked before sending so the dialog answers at once; the server checks again.
 */
export function entryNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a name.';
  if (name === '.' || name === '..') return 'A name cannot be "." or "..".';
  if (name.includes('/')) return 'A name cannot contain "/": create the folder first, then the file in it.';
  if (name.includes('\\')) return 'A name cannot contain a backslash.';
  if (hasControlCharacter(name)) return 'A name cannot contain control characters.';
  if (new TextEncoder().encode(name).length > 255) return 'A name is at most 255 bytes.';
  if (name.startsWith('.dais-upload-')) return 'Names starting with ".dais-upload-" are reserved.';
  return null;
}
