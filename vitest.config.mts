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

/*
 * The integration files run in lanes (docs/development.md "Lanes"). Each lane takes one file at a time
 * (they start real nginx, databases, Redis queues and component processes; one file per lane keeps a
 * 2-core machine honest about timings), and `npm test` (scripts/test.sh) runs the `components` lane
 * beside the `integration` lane, one Vitest process each, so both cores work. Files of different lanes
 * share nothing of their own (each run, stack and harness has its own prefix, database, ports, folders);
 * what the host has only once decides the lane:
 */
/** Stack tests that change what the orchestrator tests also change: the test Swarm (joined and left) and the build fence's chains. */
const SHARES_HOST_STATE_WITH_COMPONENTS = ['test/security/container-hardening.test.ts', 'test/security/image-builds.test.ts'];
/** Files that disturb every other test on the host (self-repair restarts the Docker engine): they run alone, after both lanes. */
const DISTURBS_EVERY_TEST = ['test/self-repair.test.ts'];

function integrationProject(name: string, files: { include: string[]; exclude?: string[] }) {
  return {
    plugins,
    resolve: { alias },
    test: {
      name,
      globalSetup: ['test/global-setup.ts'],
      include: files.include,
      exclude: [...(files.exclude ?? []), '**/node_modules/**'],
      environment: 'node',
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
}

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
      integrationProject('components', {
        include: ['libs/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', ...SHARES_HOST_STATE_WITH_COMPONENTS],
      }),
      integrationProject('integration', {
        include: ['test/**/*.test.ts'],
        exclude: ['test/compose/**', ...SHARES_HOST_STATE_WITH_COMPONENTS, ...DISTURBS_EVERY_TEST],
      }),
      integrationProject('exclusive', { include: DISTURBS_EVERY_TEST }),
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
