// Type-aware lint for the whole repo; `npm run lint` fails on any warning.
import path from 'node:path';
import js from '@eslint/js';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ---- Boundaries (docs/architecture.md, "Each external system has one adapter that alone imports its library") ----

/** Source the boundaries apply to. */
const SOURCE = ['apps/**/*.{ts,tsx}', 'libs/**/*.{ts,tsx}'];

/**
 * Exempt from the adapter rules: integration tests, their support code, benches and scripts drive the real
 * system (a real Docker engine, Redis, an SSH client, a browser's Socket.IO client) and check it from outside,
 * so they use its libraries directly. Unit specs are not exempt: they test through the adapters.
 */
const DRIVES_THE_REAL_SYSTEM = ['test/**', 'apps/*/test/**', 'libs/*/test/**', 'bench/**', 'scripts/**'];

/**
 * Each external library, and the only files allowed to import it. One rule per library (each a copy of
 * ESLint's own no-restricted-imports), so every library gets its own config block with its own `ignores`:
 * blocks that set one rule name would replace each other's options instead of adding up.
 */
export const ADAPTERS = [
  { rule: 'dockerode', modules: ['dockerode'], adapters: ['apps/orchestrator/src/docker/**'] },
  { rule: 'ssh2', modules: ['ssh2'], adapters: ['apps/shell/src/ssh/**'] },
  { rule: 'bullmq', modules: ['bullmq'], adapters: ['apps/manager/src/infrastructure/queue/**'] },
  {
    rule: 'ioredis',
    modules: ['ioredis'],
    adapters: ['apps/manager/src/infrastructure/redis/**', 'apps/manager/src/infrastructure/realtime/event-bus.ts'],
  },
  {
    rule: 'socket-io',
    modules: ['socket.io', '@nestjs/websockets', '@nestjs/platform-socket.io'],
    adapters: [
      'apps/manager/src/infrastructure/realtime/socket-io.adapter.ts',
      'apps/manager/src/features/site-events/**',
      'apps/manager/src/features/live/**',
    ],
  },
  { rule: 'socket-io-client', modules: ['socket.io-client'], adapters: ['apps/manager/web/src/live/socket.tsx'] },
  { rule: 'acme-client', modules: ['acme-client'], adapters: ['apps/router/src/certificates/acme-client.adapter.ts'] },
  {
    rule: 'ws',
    modules: ['ws'],
    adapters: [
      'apps/orchestrator/src/ws/**',
      'libs/shared/src/peer/**',
      'apps/manager/src/infrastructure/peers/orchestrator-streams.ts',
      'apps/shell/src/clients/**',
    ],
  },
  {
    rule: 'sql-drivers',
    modules: ['pg', 'pg-cursor', 'mysql2'],
    adapters: ['apps/orchestrator/src/databases/**', 'apps/manager/src/features/backup/platform-database.adapter.ts'],
  },
  // The generated client: its models and query types stay behind the repositories; services and views
  // take and return the features' own domain types.
  {
    rule: 'prisma-client',
    modules: [],
    regex: '(^|/)generated/prisma(/|$)',
    adapters: ['apps/manager/src/**/*.repository.ts', 'apps/manager/src/infrastructure/prisma/**'],
  },
  { rule: 'prisma-packages', modules: ['@prisma/', 'prisma'], adapters: ['apps/manager/src/infrastructure/prisma/**'] },
];

/** Each app's folder (the dashboard, a workspace of its own, before the manager that holds it) and package name. */
const APPS = [
  { folder: 'apps/manager/web', name: '@dais/web' },
  { folder: 'apps/manager', name: '@dais/manager' },
  { folder: 'apps/orchestrator', name: '@dais/orchestrator' },
  { folder: 'apps/router', name: '@dais/router' },
  { folder: 'apps/shell', name: '@dais/shell' },
];

/** The app a repository-relative path lies in, or undefined. */
function appOf(relativePath) {
  return APPS.find((app) => relativePath === app.folder || relativePath.startsWith(`${app.folder}/`));
}

/**
 * Apps import `@dais/shared` and `@dais/nginx`, never each other (by package name or by a relative path that
 * leads into another app's folder), and libraries never import an app. Relative paths are resolved against
 * the importing file, so a path is judged by where it lands, not by how it is spelled.
 */
const appsStayApart = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      appImportsApp: '{{from}} must not import {{to}}: apps share code only through libs/ (@dais/shared, @dais/nginx).',
      libImportsApp: 'A library must not import an app ({{to}}): libs/ stand below every app.',
    },
  },
  create(context) {
    const root = import.meta.dirname;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const fromApp = appOf(file);
    const fromLib = file.startsWith('libs/');
    if (!fromApp && !fromLib) return {};
    const check = (source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      let toApp;
      if (specifier.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(context.filename), specifier));
        toApp = appOf(target.split(path.sep).join('/'));
      } else {
        toApp = APPS.find((app) => specifier === app.name || specifier.startsWith(`${app.name}/`));
      }
      if (!toApp || toApp === fromApp) return;
      if (fromLib) context.report({ node: source, messageId: 'libImportsApp', data: { to: toApp.folder } });
      else context.report({ node: source, messageId: 'appImportsApp', data: { from: fromApp.folder, to: toApp.folder } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSExternalModuleReference: (node) => check(node.expression),
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
    };
  },
};

/** Matches the named packages and their subpaths (a name ending in `/` is a scope), never a relative path. */
function packagesRegex(names) {
  const alternatives = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/$/, '/.+'));
  return `^(${alternatives.join('|')})(/.*)?$`;
}

const restrictedImports = builtinRules.get('no-restricted-imports');
const boundaries = {
  rules: {
    'apps-stay-apart': appsStayApart,
    ...Object.fromEntries(ADAPTERS.map((adapter) => [adapter.rule, restrictedImports])),
  },
};

/** The boundary blocks, exported so that test/support/lint-boundaries.spec.ts can prove each rule bites. */
export const boundaryConfigs = [
  { files: SOURCE, plugins: { boundaries }, rules: { 'boundaries/apps-stay-apart': 'error' } },
  ...ADAPTERS.map((adapter) => ({
    files: SOURCE,
    ignores: [...adapter.adapters, ...DRIVES_THE_REAL_SYSTEM],
    rules: {
      [`boundaries/${adapter.rule}`]: [
        'error',
        {
          patterns: [
            {
              regex: adapter.regex ?? packagesRegex(adapter.modules),
              message: `Only its adapter (${adapter.adapters.join(', ')}) imports this; use the adapter (docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  })),
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.dais/**', 'apps/manager/src/generated/**', 'coverage/**', '**/*.mjs', '**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.mts', 'apps/manager/web/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // NestJS declares its option bags as classes; plain objects are how they are meant to be passed.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='exec'][callee.object.name=/^(child_process|cp)$/]",
          message: 'Use execFile with an argv array, never a shell string.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'child_process', importNames: ['exec', 'execSync'], message: 'Use execFile with an argv array.' }],
        },
      ],
    },
  },
  { files: ['vitest.config.mts', 'apps/manager/web/vite.config.ts'], ...tseslint.configs.disableTypeChecked },
  {
    // The dashboard: the rules of hooks, and no HTML built from strings (React escapes text; this keeps it so).
    files: ['apps/manager/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Render user text as React text, never as HTML.' },
        {
          selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]',
          message: 'Render user text as React text, never as HTML.',
        },
      ],
    },
  },
  ...boundaryConfigs,
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
