import { describe, expect, it } from 'vitest';
import { assetContentType } from './web-files';

describe('which asset names the dashboard serves', () => {
  it.each([
    ['index-B4x_9a.js', 'text/javascript; charset=utf-8'],
    ['codemirror-Dk3.css', 'text/css; charset=utf-8'],
    ['xterm.addon-fit-1a2B.js', 'text/javascript; charset=utf-8'],
    ['inter-latin-400-normal-Cy2.woff2', 'font/woff2'],
    ['logo-9z.svg', 'image/svg+xml'],
  ])('serves %s as %s', (name, type) => {
    expect(assetContentType(name)).toBe(type);
  });

  it.each([
    '..',
    '.',
    '../index.html',
    '..%2fx.js',
    'a/b.js',
    'a\\b.js',
    '.hidden.js',
    'a..js',
    'a.js.',
    'x.js\0',
    'x.js\0.css',
    'noextension',
    'notes.txt',
    'page.html',
    'x.JS',
    'toString',
    'x.constructor',
    'x.__proto__',
    `${'a'.repeat(198)}.js`,
  ])('refuses %j', (name) => {
    expect(assetContentType(name)).toBeNull();
  });
});
