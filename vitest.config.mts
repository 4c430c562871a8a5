import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from source, so no build is needed to run a unit test.
const alias = [
  { find: /^@dais\/shared\/fastify$/, replacement: here('./libs/shared/src/fastify/index.ts') },
  { find: /^@dais\/shared$/, replacement: here('./libs/shared/src/index.ts') },
  { find: /^@dais\/nginx$/, replacement: here('./libs/nginx/src/index.ts') },
  { find: /^@dais\/shared\/rules$/, replacement: here('./libs/shared/src/rules.ts') },
];

// SWC for the integration tiers, which boot NestJS modules in-process: its dependency injection needs
// the design:paramtypes metadata SWC emits the way tsc does. The unit tier keeps Vite's own transform
// (oxc, which reads experimentalDecorators from tsconfig): no unit spec builds a Nest module, and
// the transform is half the time.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // One module graph for all spec files (not one per file): importing NestJS, Prisma's client and
          // the shared libraries once instead of 100 times takes the tier from ~70 s to ~25 s. Spec files
          // share no state: no module mocks, no fake timers, no globals (a shuffled run passes; see
          // docs/development.md).
          isolate: false,
          include: [
            'libs/*/src/**/*.spec.ts',
            'apps/*/src/**/*.spec.ts',
            'apps/manager/web/src/**/*.spec.{ts,tsx}',
            'scripts/**/*.spec.ts',
            'test/support/**/*.spec.ts',
          ],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          globalSetup: ['test/global-setup.ts'],
          include: ['libs/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/compose/**', '**/node_modules/**'],
          environment: 'node',
          // These tests start real nginx, PostgreSQL databases, Redis queues and component
          // processes; one file at a time keeps a 2-core machine honest about timings.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The compose deployment (docs/deployment.md): `npm test` runs it last, on the images it built in the
      // background meanwhile (scripts/test.sh); alone: `npm run test:compose`.
      ...(process.env.DAIS_TEST_COMPOSE === '1'
        ? [
            {
              plugins,
              resolve: { alias },
              test: {
                name: 'compose',
                globalSetup: ['test/global-setup.ts'],
                include: ['test/compose/**/*.test.ts'],
                environment: 'node',
                fileParallelism: false,
                testTimeout: 60_000,
                hookTimeout: 900_000,
              },
            },
          ]
        : []),
    ],
  },
});
