import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reflector } from '@nestjs/core';
import { DaisError, keyFilePaths } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allows, API_CASES, type Role } from '../../../../test/support/api-cases';
import { ApiModule } from '../api.module';
import type { ManagerConfig } from '../config/manager.config';
import { AuthGuard } from '../features/auth/auth.guard';
import type { AuthService } from '../features/auth/auth.service';
import { assertAdmin, type AuthenticatedUser } from '../features/auth/authenticated-user';
import { ShellServerGuard } from '../features/shell-server/shell-server.guard';
import { changeableSite } from '../features/sites/site-access';
import type { SiteRecord, SiteRepository } from '../features/sites/site.repository';
import type { RedisNonceStore } from '../infrastructure/signing/redis-nonce-store';
import { httpContext } from '../testing/http/execution-context';
import { strictFake } from '../testing/http/strict-fake';
import { ADMIN, MEMBER, OUTSIDER } from '../testing/http/users';
import { routeHandlersOf, type RouteHandler } from './route-table';
import { WEB_APP_ROUTES } from './web-app/web-app.controller';

/**
 * Who may call a route, at the door: `public` (anyone), `shell` (requests signed by the shell only),
 * `signed-in` (any user, for their own things), `site` (the site's members and admins; others learn
 * nothing: 404), `admin`. Services refuse more narrowly inside (e.g. limits only for admins).
 */
type Access = 'public' | 'shell' | 'signed-in' | 'site' | 'admin';

const site = (...routes: string[]) => Object.fromEntries(routes.map((route) => [route, 'site' as const]));
const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  'GET /api/auth/providers': 'public',
  'POST /api/auth/login': 'public',
  'GET /api/auth/oidc/login': 'public',
  'GET /api/auth/oidc/callback': 'public',
  'POST /api/auth/logout': 'signed-in',
  'GET /api/auth/me': 'signed-in',
  'PATCH /api/auth/me': 'signed-in',
  'POST /api/auth/password': 'signed-in',
  'GET /api/tokens': 'signed-in',
  'POST /api/tokens': 'signed-in',
  'DELETE /api/tokens/{id}': 'signed-in',
  'GET /api/ssh-keys': 'signed-in',
  'POST /api/ssh-keys': 'signed-in',
  'DELETE /api/ssh-keys/{id}': 'signed-in',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/{id}': 'admin',
  'GET /api/audit': 'signed-in',
  'GET /api/images': 'signed-in',
  'POST /api/images': 'admin',
  'GET /api/platform': 'signed-in',
  'GET /api/database-hosts': 'admin',
  'POST /api/database-hosts': 'admin',
  'GET /api/admin/app-hosts': 'admin',
  'POST /api/admin/app-hosts': 'admin',
  'POST /api/admin/app-hosts/{name}/drain': 'admin',
  'POST /api/admin/app-hosts/{name}/undrain': 'admin',
  'DELETE /api/admin/app-hosts/{name}': 'admin',
  'GET /api/admin/routers': 'admin',
  'POST /api/admin/routers': 'admin',
  'DELETE /api/admin/routers/{name}': 'admin',
  'GET /api/sites': 'signed-in',
  'POST /api/sites': 'signed-in',
  'POST /api/sites/{id}/repair': 'admin',
  'POST /api/sites/{id}/domains/{domainId}/verify': 'admin',
  'GET /api/operations': 'admin',
  ...site(
    'GET /api/sites/{id}',
    'PATCH /api/sites/{id}',
    'DELETE /api/sites/{id}',
    'GET /api/sites/{id}/status',
    'POST /api/sites/{id}/restart',
    'POST /api/sites/{id}/stop',
    'POST /api/sites/{id}/start',
    'GET /api/sites/{id}/members',
    'POST /api/sites/{id}/members',
    'DELETE /api/sites/{id}/members/{userId}',
    'GET /api/sites/{id}/domains',
    'POST /api/sites/{id}/domains',
    'POST /api/sites/{id}/domains/{domainId}/check',
    'DELETE /api/sites/{id}/domains/{domainId}',
    'GET /api/operations/{id}',
    'POST /api/operations/{id}/retry',
    'POST /api/sites/{id}/database',
    'GET /api/sites/{id}/database',
    'DELETE /api/sites/{id}/database',
    'POST /api/sites/{id}/database/rotate-password',
    'POST /api/sites/{id}/database/query',
    'GET /api/sites/{id}/files',
    'GET /api/sites/{id}/files/stat',
    'GET /api/sites/{id}/files/content',
    'PUT /api/sites/{id}/files/content',
    'GET /api/sites/{id}/files/archive',
    'POST /api/sites/{id}/files/upload',
    'POST /api/sites/{id}/files/write',
    'POST /api/sites/{id}/files/mkdir',
    'POST /api/sites/{id}/files/rename',
    'POST /api/sites/{id}/files/delete',
    'POST /api/sites/{id}/files/chmod',
  ),
  'POST /shell-server/auth/password': 'shell',
  'POST /shell-server/auth/public-key': 'shell',
  'POST /shell-server/sessions': 'shell',
  'GET /health': 'public',
  'GET /healthz': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'public',
  'GET /api/openapi.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/{file}': 'public',
  ...Object.fromEntries(WEB_APP_ROUTES.map((route) => [route, 'public' as const])),
};

/** What each kind of caller gets from each rule at the door: 200 to go on, or the refusal's status. */
const EXPECTED: Record<Access, Record<Role, number>> = {
  public: { anonymous: 200, outsider: 200, member: 200, admin: 200 },
  shell: { anonymous: 403, outsider: 403, member: 403, admin: 403 },
  'signed-in': { anonymous: 401, outsider: 200, member: 200, admin: 200 },
  site: { anonymous: 401, outsider: 404, member: 200, admin: 200 },
  admin: { anonymous: 401, outsider: 403, member: 403, admin: 200 },
};

const ROLES = ['anonymous', 'outsider', 'member', 'admin'] as const;
const USERS: Record<Exclude<Role, 'anonymous'>, AuthenticatedUser> = { outsider: OUTSIDER, member: MEMBER, admin: ADMIN };
const TOKENS: Record<string, AuthenticatedUser> = { dais_outsider: OUTSIDER, dais_member: MEMBER, dais_admin: ADMIN };
const SITE = { id: 7, name: 'blog', state: 'active', availability: 'enabled' } as SiteRecord;

describe('route access: every route declares who may call it, and the rules answer each kind of caller', () => {
  const handlers = routeHandlersOf(ApiModule);
  const auth = strictFake<AuthService>('AuthService', {
    userFromToken: vi.fn((token: string) => Promise.resolve(TOKENS[token] ?? null)),
  });
  const guard = new AuthGuard(auth, new Reflector());
  // Alice's site: she and admins see it, nobody else.
  const sites = strictFake<SiteRepository>('SiteRepository', {
    findVisible: vi.fn((_id: number, viewer: { id: number; role: string }) =>
      Promise.resolve(viewer.role === 'admin' || viewer.id === MEMBER.id ? SITE : null),
    ),
  });
  let keysDir: string;
  let shellGuard: ShellServerGuard;

  beforeAll(async () => {
    keysDir = await mkdtemp(join(tmpdir(), 'route-access-keys-'));
    const { publicKey } = generateKeyPairSync('ed25519');
    const path = keyFilePaths(keysDir, 'shell').publicKey;
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, publicKey.export({ type: 'spki', format: 'pem' }));
    shellGuard = new ShellServerGuard({ keys: { dir: keysDir } } as ManagerConfig, strictFake<RedisNonceStore>('RedisNonceStore'));
  });
  afterAll(() => rm(keysDir, { recursive: true, force: true }));

  /** Runs a route's door for a caller (an API token, or nothing): 200 when it lets them in, else the refusal's status. */
  async function decide(route: RouteHandler, role: Role): Promise<number> {
    const access = ROUTE_ACCESS[route.route];
    const request = {
      method: route.route.split(' ')[0],
      url: route.route.split(' ')[1],
      ip: '192.0.2.9',
      headers: role === 'anonymous' ? {} : { authorization: `Bearer dais_${role}` },
      cookies: {},
    };
    try {
      await guard.canActivate(httpContext(route.controller, route.handler, request));
      if (route.guards.includes(ShellServerGuard)) await shellGuard.canActivate(httpContext(route.controller, route.handler, request));
      const user = role === 'anonymous' ? null : USERS[role];
      if (access === 'admin') assertAdmin(user!, 'do this');
      if (access === 'site') await changeableSite(sites, user!, SITE.id);
      return 200;
    } catch (error) {
      if (!(error instanceof DaisError)) throw error;
      return error.status;
    }
  }

  it('has an access rule for every route, and none for a route that does not exist', () => {
    expect(handlers.map((route) => route.route).filter((route) => !(route in ROUTE_ACCESS))).toEqual([]);
    const served = new Set(handlers.map((route) => route.route));
    expect(Object.keys(ROUTE_ACCESS).filter((route) => !served.has(route))).toEqual([]);
  });

  it('marks exactly the public and shell routes @Public, and puts exactly the shell routes behind the shell’s signature', () => {
    const reflector = new Reflector();
    for (const route of handlers) {
      const access = ROUTE_ACCESS[route.route];
      const isPublic = reflector.getAllAndOverride<boolean | undefined>('dais:public', [route.handler, route.controller]) ?? false;
      expect(isPublic, route.route).toBe(access === 'public' || access === 'shell');
      expect(route.guards.includes(ShellServerGuard), route.route).toBe(access === 'shell');
    }
  });

  for (const role of ROLES) {
    it(`${role}: every route's door answers as its access rule says`, async () => {
      const wrong: string[] = [];
      for (const route of handlers) {
        const status = await decide(route, role);
        const expected = EXPECTED[ROUTE_ACCESS[route.route]!][role];
        if (status !== expected) wrong.push(`${route.route}: ${status}, not ${expected}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('refuses at the door exactly as the stack’s permission matrix expects', async () => {
    const disagreements: string[] = [];
    for (const apiCase of API_CASES) {
      const route = handlers.find((handler) => handler.route === apiCase.route);
      if (!route) {
        disagreements.push(`${apiCase.route}: no such route`);
        continue;
      }
      for (const role of ROLES) {
        const status = await decide(route, role);
        if (status !== 200 && !allows(apiCase.expect[role], status))
          disagreements.push(
            `${apiCase.route} as ${role}: the door answers ${status}, the matrix expects ${JSON.stringify(apiCase.expect[role])}`,
          );
      }
    }
    expect(disagreements).toEqual([]);
  });
});
