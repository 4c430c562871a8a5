/**
 * One valid request for every route of the manager, with the status each kind of caller must
 * get. The permission matrix runs them as every role; the fuzz test mutates them.
 */

import { generateKeyPairSync } from 'node:crypto';

/** Who calls: nobody, a signed-in user who is not a member of the site, a member, an admin. */
export type Role = 'anonymous' | 'outsider' | 'member' | 'admin';

/** The ids a case's request is built from. Runs as outsider/anonymous point them at someone else's things. */
export interface CaseContext {
  role: Role;
  siteId: number;
  siteName: string;
  domainId: number;
  /** A member of the site other than the caller (to remove). */
  memberUserId: number;
  operationId: number;
  tokenId: number;
  sshKeyId: number;
  userId: number;
  /** A fresh SSH public key line for this run to add. */
  newPublicKey: string;
  /** This caller's current password (for the password change). */
  password: string;
  /** A user who can be added to the site: admins name them by username, members by e-mail address. */
  addableUsername: string;
  addableEmail: string;
}

/** A request, relative to the manager. */
export interface CaseRequest {
  path: string;
  body?: unknown;
}

/** Statuses a role may get (several when either is right, e.g. 403 or 404 for someone else's thing). */
type Expected = number | readonly number[];

export interface ApiCase {
  /** `METHOD /path/{param}` as in the OpenAPI document. */
  route: string;
  request(context: CaseContext): CaseRequest;
  expect: Record<Role, Expected>;
  /** Captures ids from a successful answer for later cases of the same run (members and admins only). */
  remember?(context: CaseContext, answer: unknown): void;
  /** Takes a query string (the fuzz test mutates it). */
  query?: boolean;
}

const all = (status: Expected): Record<Role, Expected> => ({ anonymous: status, outsider: status, member: status, admin: status });
/** Any signed-in user may (for themselves). */
const signedIn = (status: Expected): Record<Role, Expected> => ({ anonymous: 401, outsider: status, member: status, admin: status });
/** Members of the site and admins; everyone else learns nothing (404). */
const siteScoped = (status: Expected): Record<Role, Expected> => ({ anonymous: 401, outsider: 404, member: status, admin: status });
/** Admins only. */
const adminOnly = (status: Expected): Record<Role, Expected> => ({ anonymous: 401, outsider: 403, member: 403, admin: status });

const field = (answer: unknown, ...path: string[]): number => {
  let value: unknown = answer;
  for (const key of path) value = (value as Record<string, unknown> | null)?.[key];
  if (typeof value !== 'number') throw new Error(`answer has no ${path.join('.')}: ${JSON.stringify(answer)}`);
  return value;
};

const site = (context: CaseContext, rest = '') => `/api/sites/${context.siteId}${rest}`;

/** A peer to register where nothing answers (the discard port), with a real Ed25519 public key. */
const PEER_PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const UNREACHABLE_PEER = (context: CaseContext) => ({
  name: `matrix-${context.role}`,
  url: 'http://127.0.0.1:9',
  peerId: 'orchestrator-9',
  publicKey: PEER_PUBLIC_KEY,
});

/** In the order a run makes them: reads and additions first, removals after, the site's deletion and sign-out last. */
export const API_CASES: readonly ApiCase[] = [
  { route: 'GET /api/auth/providers', request: () => ({ path: '/api/auth/providers' }), expect: all(200) },
  {
    route: 'POST /api/auth/login',
    request: () => ({ path: '/api/auth/login', body: { username: 'nobody-at-all', password: 'not a password' } }),
    expect: all(401),
  },
  { route: 'GET /api/auth/oidc/login', request: () => ({ path: '/api/auth/oidc/login' }), expect: all(404) },
  {
    route: 'GET /api/auth/oidc/callback',
    request: () => ({ path: '/api/auth/oidc/callback?code=x&state=y' }),
    expect: all([400, 404]),
    query: true,
  },
  { route: 'GET /api/auth/me', request: () => ({ path: '/api/auth/me' }), expect: signedIn(200) },
  {
    route: 'PATCH /api/auth/me',
    request: (context) => ({ path: '/api/auth/me', body: { email: `${context.role}@matrix.example` } }),
    expect: signedIn(200),
  },
  { route: 'GET /api/tokens', request: () => ({ path: '/api/tokens' }), expect: signedIn(200) },
  {
    route: 'POST /api/tokens',
    request: (context) => ({ path: '/api/tokens', body: { name: `matrix ${context.role}` } }),
    expect: signedIn(201),
    remember: (context, answer) => (context.tokenId = field(answer, 'id')),
  },
  {
    route: 'DELETE /api/tokens/{id}',
    request: (context) => ({ path: `/api/tokens/${context.tokenId}` }),
    expect: { ...signedIn(204), outsider: 404 },
  },
  { route: 'GET /api/ssh-keys', request: () => ({ path: '/api/ssh-keys' }), expect: signedIn(200) },
  {
    route: 'POST /api/ssh-keys',
    request: (context) => ({ path: '/api/ssh-keys', body: { name: 'laptop', publicKey: context.newPublicKey } }),
    expect: signedIn(201),
    remember: (context, answer) => (context.sshKeyId = field(answer, 'id')),
  },
  {
    route: 'DELETE /api/ssh-keys/{id}',
    request: (context) => ({ path: `/api/ssh-keys/${context.sshKeyId}` }),
    expect: { ...signedIn(204), outsider: 404 },
  },
  { route: 'GET /api/users', request: () => ({ path: '/api/users?limit=10' }), expect: adminOnly(200), query: true },
  {
    route: 'POST /api/users',
    request: (context) => ({ path: '/api/users', body: { username: `made-by-${context.role}`, displayName: 'Made' } }),
    expect: adminOnly(201),
    remember: (context, answer) => (context.userId = field(answer, 'id')),
  },
  {
    route: 'PATCH /api/users/{id}',
    request: (context) => ({ path: `/api/users/${context.userId}`, body: { role: 'admin' } }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/audit',
    request: (context) => ({ path: `/api/audit?siteId=${context.siteId}&limit=5` }),
    expect: signedIn(200),
    query: true,
  },
  { route: 'GET /api/images', request: () => ({ path: '/api/images' }), expect: signedIn(200) },
  { route: 'GET /api/platform', request: () => ({ path: '/api/platform' }), expect: signedIn(200) },
  {
    route: 'POST /api/images',
    request: (context) => ({
      path: '/api/images',
      body: {
        name: `matrix-${context.role}`,
        baseImage: 'dais/busybox:latest',
        packageUpdate: null,
        packageInstall: null,
        runScript: '#!/bin/sh\nexec httpd -f -p "$PORT" -h /site/public\n',
      },
    }),
    expect: adminOnly(201),
  },
  { route: 'GET /api/database-hosts', request: () => ({ path: '/api/database-hosts' }), expect: adminOnly(200) },
  {
    route: 'POST /api/database-hosts',
    request: (context) => ({
      path: '/api/database-hosts',
      body: {
        name: `matrix-${context.role}`,
        engine: 'postgresql',
        adminHost: '127.0.0.1',
        adminPort: 5432,
        adminUser: 'nobody',
        adminPassword: 'not-used',
        siteHost: '172.30.0.1',
        sitePort: 5432,
      },
    }),
    expect: adminOnly(201),
  },
  // The fleet registry: an add probes first (nothing answers at port 9: refused, nothing written);
  // drain/undrain act on the stack's own `local` host; removals name nothing.
  { route: 'GET /api/admin/app-hosts', request: () => ({ path: '/api/admin/app-hosts' }), expect: adminOnly(200) },
  {
    route: 'POST /api/admin/app-hosts',
    request: (context) => ({ path: '/api/admin/app-hosts', body: { ...UNREACHABLE_PEER(context), runtime: 'docker', capacity: 10 } }),
    expect: adminOnly(422),
  },
  {
    route: 'POST /api/admin/app-hosts/{name}/drain',
    request: () => ({ path: '/api/admin/app-hosts/local/drain' }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/admin/app-hosts/{name}/undrain',
    request: () => ({ path: '/api/admin/app-hosts/local/undrain' }),
    expect: adminOnly(200),
  },
  { route: 'DELETE /api/admin/app-hosts/{name}', request: () => ({ path: '/api/admin/app-hosts/no-such-host' }), expect: adminOnly(404) },
  { route: 'GET /api/admin/routers', request: () => ({ path: '/api/admin/routers' }), expect: adminOnly(200) },
  {
    route: 'POST /api/admin/routers',
    request: (context) => ({ path: '/api/admin/routers', body: UNREACHABLE_PEER(context) }),
    expect: adminOnly(422),
  },
  { route: 'DELETE /api/admin/routers/{name}', request: () => ({ path: '/api/admin/routers/no-such-router' }), expect: adminOnly(404) },
  { route: 'GET /api/sites', request: () => ({ path: '/api/sites?limit=5&search=a' }), expect: signedIn(200), query: true },
  {
    route: 'POST /api/sites',
    request: (context) => ({ path: '/api/sites', body: { name: `own-${context.role}`, description: 'made by the matrix' } }),
    expect: signedIn(202),
  },
  { route: 'GET /api/sites/{id}', request: (context) => ({ path: site(context) }), expect: siteScoped(200) },
  { route: 'GET /api/sites/{id}/status', request: (context) => ({ path: site(context, '/status') }), expect: siteScoped(200) },
  {
    route: 'PATCH /api/sites/{id}',
    request: (context) => ({ path: site(context), body: { description: `changed by ${context.role}` } }),
    expect: siteScoped(202),
  },
  {
    route: 'PATCH /api/sites/{id}',
    request: (context) => ({ path: site(context), body: { limits: { memoryMb: 256, cpus: 1, pids: 256 } } }),
    expect: { ...siteScoped(202), member: 403 },
  },
  {
    route: 'PATCH /api/sites/{id}',
    request: (context) => ({ path: site(context), body: { diskLimitMb: 2_048 } }),
    expect: { ...siteScoped(202), member: 403 },
  },
  { route: 'POST /api/sites/{id}/stop', request: (context) => ({ path: site(context, '/stop') }), expect: siteScoped(202) },
  { route: 'POST /api/sites/{id}/start', request: (context) => ({ path: site(context, '/start') }), expect: siteScoped(202) },
  { route: 'POST /api/sites/{id}/restart', request: (context) => ({ path: site(context, '/restart') }), expect: siteScoped(202) },
  {
    route: 'POST /api/sites/{id}/repair',
    request: (context) => ({ path: site(context, '/repair') }),
    expect: { ...siteScoped(202), outsider: 403, member: 403 },
  },
  { route: 'GET /api/sites/{id}/members', request: (context) => ({ path: site(context, '/members') }), expect: siteScoped(200) },
  {
    route: 'POST /api/sites/{id}/members',
    request: (context) => ({
      path: site(context, '/members'),
      body: context.role === 'admin' ? { username: context.addableUsername } : { email: context.addableEmail },
    }),
    expect: siteScoped(201),
    remember: (context, answer) => (context.memberUserId = field(answer, 'userId')),
  },
  {
    route: 'DELETE /api/sites/{id}/members/{userId}',
    request: (context) => ({ path: site(context, `/members/${context.memberUserId}`) }),
    expect: siteScoped(204),
  },
  { route: 'GET /api/sites/{id}/domains', request: (context) => ({ path: site(context, '/domains') }), expect: siteScoped(200) },
  {
    route: 'POST /api/sites/{id}/domains',
    request: (context) => ({ path: site(context, '/domains'), body: { hostname: `${context.role}.matrix.example.org` } }),
    expect: siteScoped(201),
    remember: (context, answer) => (context.domainId = field(answer, 'domain', 'id')),
  },
  {
    route: 'POST /api/sites/{id}/domains/{domainId}/check',
    request: (context) => ({ path: site(context, `/domains/${context.domainId}/check`) }),
    expect: siteScoped(200),
  },
  {
    route: 'POST /api/sites/{id}/domains/{domainId}/verify',
    request: (context) => ({ path: site(context, `/domains/${context.domainId}/verify`) }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/sites/{id}/domains/{domainId}',
    request: (context) => ({ path: site(context, `/domains/${context.domainId}`) }),
    expect: siteScoped(202),
  },
  {
    route: 'GET /api/operations',
    request: (context) => ({ path: `/api/operations?siteId=${context.siteId}&state=succeeded&limit=5` }),
    expect: adminOnly(200),
    query: true,
  },
  {
    route: 'GET /api/operations/{id}',
    request: (context) => ({ path: `/api/operations/${context.operationId}` }),
    expect: siteScoped(200),
  },
  {
    // Permitted, but a succeeded operation has nothing to retry.
    route: 'POST /api/operations/{id}/retry',
    request: (context) => ({ path: `/api/operations/${context.operationId}/retry` }),
    expect: siteScoped(409),
  },
  {
    route: 'POST /api/sites/{id}/database',
    request: (context) => ({ path: site(context, '/database'), body: { engine: 'postgresql' } }),
    expect: siteScoped(202),
  },
  { route: 'GET /api/sites/{id}/database', request: (context) => ({ path: site(context, '/database') }), expect: siteScoped(200) },
  {
    route: 'POST /api/sites/{id}/database/rotate-password',
    request: (context) => ({ path: site(context, '/database/rotate-password') }),
    expect: siteScoped(202),
  },
  {
    route: 'POST /api/sites/{id}/database/query',
    request: (context) => ({ path: site(context, '/database/query'), body: { sql: 'select 1 as one' } }),
    expect: siteScoped(200),
  },
  // The site file API: each run writes, reads and moves a file, then removes the folder it made.
  {
    route: 'POST /api/sites/{id}/files/write',
    request: (context) => ({ path: site(context, '/files/write'), body: { path: 'public/matrix.txt', content: 'matrix' } }),
    expect: siteScoped(200),
  },
  {
    route: 'GET /api/sites/{id}/files',
    request: (context) => ({ path: site(context, '/files?path=/public') }),
    expect: siteScoped(200),
    query: true,
  },
  {
    route: 'GET /api/sites/{id}/files/stat',
    request: (context) => ({ path: site(context, '/files/stat?path=/public/matrix.txt') }),
    expect: siteScoped(200),
    query: true,
  },
  {
    route: 'GET /api/sites/{id}/files/content',
    request: (context) => ({ path: site(context, '/files/content?path=/public/matrix.txt') }),
    expect: siteScoped(200),
    query: true,
  },
  {
    route: 'GET /api/sites/{id}/files/archive',
    request: (context) => ({ path: site(context, '/files/archive?path=/public') }),
    expect: siteScoped(200),
    query: true,
  },
  // A JSON body is not an upload (415): the raw upload itself is exercised in test/site-files.test.ts.
  {
    route: 'PUT /api/sites/{id}/files/content',
    request: (context) => ({ path: site(context, '/files/content?path=/public/upload.txt'), body: { not: 'a file' } }),
    expect: siteScoped(415),
    query: true,
  },
  // Nor is it a form (415): multipart uploads are exercised in test/site-files-multipart.test.ts.
  {
    route: 'POST /api/sites/{id}/files/upload',
    request: (context) => ({ path: site(context, '/files/upload?path=/public'), body: { not: 'a form' } }),
    expect: siteScoped(415),
    query: true,
  },
  {
    route: 'POST /api/sites/{id}/files/mkdir',
    request: (context) => ({ path: site(context, '/files/mkdir'), body: { path: 'public/matrix-dir' } }),
    expect: siteScoped(200),
  },
  {
    route: 'POST /api/sites/{id}/files/rename',
    request: (context) => ({
      path: site(context, '/files/rename'),
      body: { from: 'public/matrix.txt', to: 'public/matrix-dir/moved.txt' },
    }),
    expect: siteScoped(200),
  },
  {
    route: 'POST /api/sites/{id}/files/chmod',
    request: (context) => ({ path: site(context, '/files/chmod'), body: { path: 'public/matrix-dir/moved.txt', mode: '640' } }),
    expect: siteScoped(200),
  },
  {
    route: 'POST /api/sites/{id}/files/delete',
    request: (context) => ({
      path: site(context, '/files/delete'),
      body: { path: 'public/matrix-dir', recursive: true, confirm: 'public/matrix-dir' },
    }),
    expect: siteScoped(200),
  },
  { route: 'DELETE /api/sites/{id}/database', request: (context) => ({ path: site(context, '/database') }), expect: siteScoped(202) },
  {
    route: 'POST /shell-server/auth/password',
    request: () => ({ path: '/shell-server/auth/password', body: { username: 'alice', password: 'alice long password 1' } }),
    expect: all(403),
  },
  {
    route: 'POST /shell-server/auth/public-key',
    request: (context) => ({ path: '/shell-server/auth/public-key', body: { username: 'alice', publicKey: context.newPublicKey } }),
    expect: all(403),
  },
  {
    route: 'POST /shell-server/sessions',
    request: (context) => ({ path: '/shell-server/sessions', body: { userId: 1, siteId: context.siteId, kind: 'shell', event: 'start' } }),
    expect: all(403),
  },
  { route: 'GET /health', request: () => ({ path: '/health' }), expect: all(200) },
  { route: 'GET /ready', request: () => ({ path: '/ready' }), expect: all(200) },
  { route: 'GET /metrics', request: () => ({ path: '/metrics' }), expect: all(200) },
  { route: 'GET /api/openapi.json', request: () => ({ path: '/api/openapi.json' }), expect: all(200) },
  { route: 'GET /api/docs', request: () => ({ path: '/api/docs' }), expect: all(200) },
  {
    route: 'POST /api/auth/password',
    request: (context) => ({
      path: '/api/auth/password',
      // Keeping the other sessions and tokens: the run goes on with this role's token.
      body: { currentPassword: context.password, newPassword: 'an entirely new secret', endOtherSessions: false },
    }),
    // The admin's account was made by the admin command with a token only: it has no password.
    expect: { ...signedIn(204), admin: 409 },
  },
  {
    route: 'DELETE /api/sites/{id}',
    request: (context) => ({ path: site(context), body: { confirm: context.siteName } }),
    expect: siteScoped(202),
  },
  { route: 'POST /api/auth/logout', request: () => ({ path: '/api/auth/logout' }), expect: signedIn(204) },
];

/** The case's method. */
export const methodOf = (apiCase: ApiCase): string => apiCase.route.split(' ')[0] ?? 'GET';

/** True when the status is one the case allows for the role. */
export function allows(expected: Expected, status: number): boolean {
  return Array.isArray(expected) ? expected.includes(status) : expected === status;
}
