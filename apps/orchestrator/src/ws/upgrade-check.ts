import type { IncomingMessage } from 'node:http';
import {
  DaisError,
  filesStreamQuerySchema,
  logsStreamQuerySchema,
  parseInput,
  statusStreamQuerySchema,
  terminalOpenSchema,
  type RequestVerifier,
  type ShellTokenClaims,
  type SiteSpec,
} from '@dais/shared';
import type { SiteFolderProvider } from '../files';
import { shellProcessOf, type ShellTokenCheck } from './shell-server-channel';
import type { SiteProcess } from './site-process';
import { matchLiveRoute } from './ws-routes';

/** An upgrade that passed every check, with its validated parameters. */
export type AcceptedUpgrade =
  | { kind: 'terminal'; spec: SiteSpec; process: SiteProcess }
  | { kind: 'logs'; spec: SiteSpec; tail: number }
  | { kind: 'status'; spec: SiteSpec }
  | { kind: 'files'; spec: SiteSpec; path: string }
  | { kind: 'shell'; spec: SiteSpec; claims: ShellTokenClaims; process: SiteProcess }
  | { kind: 'sftp'; spec: SiteSpec; claims: ShellTokenClaims };

/** What {@link checkUpgrade} checks against. */
export interface UpgradeCheckDeps {
  verifier: RequestVerifier;
  tokens: ShellTokenCheck;
  folders: SiteFolderProvider;
  siteSpec(siteId: number): SiteSpec;
  maxLogTail: number;
}

const terminalQuerySchema = terminalOpenSchema.pick({ cols: true, rows: true, term: true });

/**
 * Everything decided before a connection is upgraded, in this order: the signature (who calls,
 * and whether the allow-list lets them reach this path), the route, who may use it (the manager
 * every site stream, the shell only its own route), the query, the site, and for the shell the
 * manager's token. Throws the coded error to answer the upgrade with.
 */
export async function checkUpgrade(deps: UpgradeCheckDeps, request: IncomingMessage): Promise<AcceptedUpgrade> {
  const target = request.url ?? '/';
  const caller = await deps.verifier.verify({ method: request.method ?? 'GET', path: target, headers: request.headers, body: '' });
  if (request.method !== 'GET') throw new DaisError('VALIDATION_FAILED', 'A websocket upgrade is a GET request.');
  const route = matchLiveRoute(target);
  const expected = route.kind === 'shell-server' ? 'shell' : 'manager';
  if (caller !== expected) throw new DaisError('ROUTE_FORBIDDEN', `Caller "${caller}" may not open ${route.kind} streams.`);
  switch (route.kind) {
    case 'terminal': {
      const open = parseInput(terminalQuerySchema, route.query, 'terminal query');
      const size = { cols: open.cols ?? 80, rows: open.rows ?? 24 };
      return { kind: 'terminal', spec: deps.siteSpec(route.siteId), process: { kind: 'shell', term: open.term ?? 'xterm-256color', size } };
    }
    case 'logs': {
      const { tail } = parseInput(logsStreamQuerySchema, route.query, 'logs query');
      const spec = deps.siteSpec(route.siteId);
      if (!spec.runtime) throw new DaisError('VALIDATION_FAILED', `Site ${spec.id} is static: it has no container whose logs to follow.`);
      return { kind: 'logs', spec, tail: Math.min(tail, deps.maxLogTail) };
    }
    case 'status':
      parseInput(statusStreamQuerySchema, route.query, 'status query');
      return { kind: 'status', spec: deps.siteSpec(route.siteId) };
    case 'files': {
      const { path } = parseInput(filesStreamQuerySchema, route.query, 'files query');
      const spec = deps.siteSpec(route.siteId);
      const entry = await deps.folders.of(spec.id).stat(path);
      if (entry.type !== 'directory') throw new DaisError('NOT_A_DIRECTORY', `${JSON.stringify(path)} is not a folder.`);
      return { kind: 'files', spec, path };
    }
    case 'shell-server': {
      const open = parseInput(terminalOpenSchema, route.query, 'shell session query');
      const spec = deps.siteSpec(route.siteId);
      const claims = await deps.tokens.verify(request, route.siteId);
      return open.mode === 'sftp' ? { kind: 'sftp', spec, claims } : { kind: 'shell', spec, claims, process: shellProcessOf(open) };
    }
  }
}
