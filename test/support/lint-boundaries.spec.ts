import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './dev-env';

/** One library's row of the adapter table in eslint.config.mjs. */
interface Adapter {
  rule: string;
  modules: string[];
  regex?: string;
  adapters: string[];
}

/**
 * Proves each boundary rule of eslint.config.mjs bites: a fixture that breaks it is reported, and the
 * same import from where it belongs is not. Only the boundary blocks are loaded (no type information),
 * so this runs in about a second.
 */
let eslint: ESLint;
let adapters: Adapter[];

beforeAll(async () => {
  const configFile = pathToFileURL(join(REPO_ROOT, 'eslint.config.mjs')).href;
  const config = (await import(configFile)) as { ADAPTERS: Adapter[]; boundaryConfigs: Linter.Config[] };
  adapters = config.ADAPTERS;
  eslint = new ESLint({
    cwd: REPO_ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } }, ...config.boundaryConfigs],
  });
});

/** The boundary rules a fixture at `path` breaks. */
async function broken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  const fatal = result?.messages.find((message) => message.fatal);
  if (fatal) throw new Error(`fixture did not parse: ${fatal.message}`);
  return (result?.messages ?? []).map((message) => message.ruleId ?? '').filter((rule) => rule.startsWith('boundaries/'));
}

/** A file inside an adapter glob. */
const inside = (glob: string): string => glob.replace('**/*.repository.ts', 'fixture.repository.ts').replace(/\/\*\*$/, '/fixture.ts');
/** A source file of the same app that is no adapter. */
const outside = (glob: string): string =>
  `${glob.startsWith('apps/manager/web/') ? 'apps/manager/web' : glob.split('/').slice(0, 2).join('/')}/src/boundary-fixture.ts`;
/** An import of the library the rule guards. */
const importOf = (adapter: Adapter, path: string): string =>
  adapter.regex
    ? `import type { User } from '${relativeToGenerated(path)}';\n`
    : `import type * as library from '${adapter.modules[0]!.replace(/\/$/, '/adapter-pg')}';\n`;
/** The generated client as a file of apps/manager/src at `path` spells it. */
const relativeToGenerated = (path: string): string => {
  const depth = path.split('/').length - 4;
  return `${depth > 0 ? '../'.repeat(depth) : './'}generated/prisma/client`;
};

describe('each external library is imported only by its adapter', () => {
  it('covers the libraries the architecture names', () => {
    const modules = adapters.flatMap((adapter) => adapter.modules);
    for (const name of ['dockerode', 'ssh2', 'bullmq', 'ioredis', 'socket.io', 'acme-client', 'ws', 'pg', 'mysql2'])
      expect(modules).toContain(name);
    expect(adapters.some((adapter) => adapter.regex?.includes('generated/prisma'))).toBe(true);
  });

  it('reports an import from outside the adapter, and allows it inside', async () => {
    for (const adapter of adapters) {
      const [home] = adapter.adapters;
      const elsewhere = outside(home!);
      expect(await broken(elsewhere, importOf(adapter, elsewhere)), `${adapter.rule} from ${elsewhere}`).toContain(
        `boundaries/${adapter.rule}`,
      );
      const within = inside(home!);
      expect(await broken(within, importOf(adapter, within)), `${adapter.rule} from ${within}`).not.toContain(`boundaries/${adapter.rule}`);
    }
  });

  it('catches subpaths and re-exports, but not relative paths that merely share a name', async () => {
    expect(await broken('apps/shell/src/session/fixture.ts', "import { Client } from 'ssh2/lib/client';\n")).toEqual(['boundaries/ssh2']);
    expect(await broken('apps/router/src/fixture.ts', "export { Client } from 'acme-client';\n")).toEqual(['boundaries/acme-client']);
    expect(await broken('apps/manager/src/features/sites/fixture.ts', "import { x } from '../ws/prisma';\n")).toEqual([]);
  });

  it('keeps the generated Prisma client behind repositories: a service may not import it, a repository may', async () => {
    const service = 'apps/manager/src/features/sites/sites.service.ts';
    expect(await broken(service, "import type { Site } from '../../generated/prisma/client';\n")).toEqual(['boundaries/prisma-client']);
    const repository = 'apps/manager/src/features/sites/site.repository.ts';
    expect(await broken(repository, "import { Prisma } from '../../generated/prisma/client';\n")).toEqual([]);
    expect(await broken(repository, "import { PrismaPg } from '@prisma/adapter-pg';\n")).toEqual(['boundaries/prisma-packages']);
  });

  it('exempts tests and benches that drive the real system', async () => {
    expect(await broken('test/fixture.test.ts', "import Docker from 'dockerode';\n")).toEqual([]);
    expect(await broken('apps/orchestrator/test/fixture.test.ts', "import Docker from 'dockerode';\n")).toEqual([]);
    expect(await broken('bench/fixture.ts', "import { io } from 'socket.io-client';\n")).toEqual([]);
  });
});

describe('apps never import each other, libraries never import apps', () => {
  it('reports a relative path into another app, whatever its spelling', async () => {
    expect(await broken('apps/manager/src/fixture.ts', "import { x } from '../../orchestrator/src/server';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
    expect(await broken('apps/manager/src/features/fixture.ts', "export * from '../../../router/src/x';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
    expect(await broken('apps/shell/src/fixture.ts', "const m = import('../../manager/src/main');\nexport { m };\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
    expect(await broken('apps/manager/web/src/fixture.ts', "import { x } from '../../src/main';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
  });

  it('reports another app by package name', async () => {
    expect(await broken('apps/orchestrator/src/fixture.ts', "import { x } from '@dais/manager';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
    expect(await broken('apps/manager/src/fixture.ts', "import type { X } from '@dais/shell/src/x';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
  });

  it('reports a library importing an app', async () => {
    expect(await broken('libs/shared/src/fixture.ts', "import { x } from '../../../apps/router/src/x';\n")).toEqual([
      'boundaries/apps-stay-apart',
    ]);
    expect(await broken('libs/nginx/src/fixture.ts', "import { x } from '@dais/orchestrator';\n")).toEqual(['boundaries/apps-stay-apart']);
  });

  it('allows imports within one app and of the shared libraries', async () => {
    expect(await broken('apps/manager/src/features/sites/fixture.ts', "import { x } from '../../infrastructure/redis/x';\n")).toEqual([]);
    expect(
      await broken('apps/orchestrator/src/fixture.ts', "import { DaisError } from '@dais/shared';\nimport { x } from '@dais/nginx';\n"),
    ).toEqual([]);
    expect(await broken('apps/orchestrator/src/fixture.spec.ts', "import { x } from '../../../test/support/golden';\n")).toEqual([]);
  });
});
