/** Content types for files static sites commonly serve; anything else goes out as octet-stream. */
const MIME_TYPES: Readonly<Record<string, readonly string[]>> = {
  'text/html': ['html', 'htm'],
  'text/css': ['css'],
  'text/plain': ['txt', 'md'],
  'text/xml': ['xml'],
  'text/csv': ['csv'],
  'application/javascript': ['js', 'mjs'],
  'application/json': ['json', 'map'],
  'application/manifest+json': ['webmanifest'],
  'application/pdf': ['pdf'],
  'application/wasm': ['wasm'],
  'application/zip': ['zip'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/avif': ['avif'],
  'image/svg+xml': ['svg', 'svgz'],
  'image/x-icon': ['ico'],
  'font/woff': ['woff'],
  'font/woff2': ['woff2'],
  'font/ttf': ['ttf'],
  'audio/mpeg': ['mp3'],
  'audio/ogg': ['ogg'],
  'video/mp4': ['mp4'],
  'video/webm': ['webm'],
};

/** The `types { … }` block, so instances do not depend on a distribution's mime.types file. */
export function renderMimeTypes(): string {
  const lines = Object.entries(MIME_TYPES).map(([type, extensions]) => `        ${type} ${extensions.join(' ')};`);
  return `    types {\n${lines.join('\n')}\n    }`;
}
