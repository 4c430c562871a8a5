import type { Extension } from '@codemirror/state';

type LanguageLoader = () => Promise<Extension>;

/** Each language is its own chunk, loaded the first time a file of its kind is opened. */
const LOADERS: Record<string, LanguageLoader> = {
  html: async () => (await import('@codemirror/lang-html')).html(),
  js: async () => (await import('@codemirror/lang-javascript')).javascript(),
  mjs: async () => (await import('@codemirror/lang-javascript')).javascript(),
  cjs: async () => (await import('@codemirror/lang-javascript')).javascript(),
  jsx: async () => (await import('@codemirror/lang-javascript')).javascript({ jsx: true }),
  ts: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  tsx: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true, jsx: true }),
  css: async () => (await import('@codemirror/lang-css')).css(),
  py: async () => (await import('@codemirror/lang-python')).python(),
  md: async () => (await import('@codemirror/lang-markdown')).markdown(),
  json: async () => (await import('@codemirror/lang-json')).json(),
  php: async () => (await import('@codemirror/lang-php')).php(),
  yaml: async () => (await import('@codemirror/lang-yaml')).yaml(),
  yml: async () => (await import('@codemirror/lang-yaml')).yaml(),
  sql: async () => (await import('@codemirror/lang-sql')).sql(),
};
LOADERS.htm = LOADERS.html as LanguageLoader;
LOADERS.markdown = LOADERS.md as LanguageLoader;

/** The extension after the last dot, lower-cased ('' for `Makefile` or `.htaccess`). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/** Syntax highlighting for this file name, or null for plain text. */
export function loadLanguage(fileName: string): Promise<Extension> | null {
  const loader = LOADERS[extensionOf(fileName)];
  return loader ? loader() : null;
}
