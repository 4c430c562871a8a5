import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The dashboard imports the platform's own rules (site names, hostnames, contracts) from libs/shared's
// package export `@dais/shared/rules` (its sources), so the browser checks input exactly as the server
// does. Those files are plain zod, except hostname.ts's punycode helper from node:url, which the shim
// provides with the browser's URL parser.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [{ find: /^node:url$/, replacement: here('./src/shims/node-url.ts') }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Chromium from Debian 12 and current evergreen browsers.
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
