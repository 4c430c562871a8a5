import { accountPaths } from './account.paths';
import { filePaths } from './files.paths';
import { fleetPaths } from './fleet.paths';
import type { PathItems } from './fragments';
import { platformPaths } from './platform.paths';
import { shellPaths } from './shell.paths';
import { sitePaths } from './site.paths';

const DESCRIPTION = `Create and run sites.

**Authentication.** Scripts send a personal API token: \`Authorization: Bearer dais_…\`. Browsers sign in with
POST /api/auth/login and get an HttpOnly session cookie; every request that changes something must then echo
the session's CSRF token in \`X-CSRF-Token\`.

**Changes are operations.** Every change to a running site answers 202 with an operation of ordered steps;
follow it with GET /api/operations/{id}, or live over Socket.IO at \`/socket.io/\` (authenticated by the session
cookie or \`auth: { token }\`): emit \`site:subscribe\` \`{ siteId }\`, then receive \`operation:updated\` and
\`site:updated\`.

**Errors** are \`{ "error": { "code", "message", "details"? } }\`; a 400 names each field and rule in
\`details.issues[]\`. A site you may not see answers exactly like one that does not exist (404).

**Paging.** Lists take \`limit\` (1-200, default 50) and \`cursor\`, and answer \`nextCursor\` (null on the last page).`;

/**
 * The manager's API as OpenAPI 3.1, built from the same zod contracts that validate requests, so
 * the document cannot drift from the code. Served at `/api/openapi.json` (and as Swagger UI at
 * `/api/docs`), and kept in `docs/openapi.json`.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Dais manager API', version: '0.3.0', description: DESCRIPTION },
    components: {
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: 'A personal API token (POST /api/tokens).' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'dais_session',
          description: 'Set by POST /api/auth/login; send X-CSRF-Token on changes.',
        },
        shellSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-dais-signature',
          description: "Requests signed with the shell's Ed25519 key (see docs/architecture.md, trust boundaries).",
        },
      },
    },
    security: [{ token: [] }, { session: [] }],
    tags: TAGS.map(([name, , description]) => ({ name, description })),
    paths: Object.assign({}, ...TAGS.map(([name, paths]) => tagged(paths, name))) as PathItems,
  };
}

/** Sections of the interactive docs, in order. */
const TAGS: [name: string, paths: PathItems, description: string][] = [
  ['accounts', accountPaths, 'Signing in, tokens, SSH keys, users and the audit log'],
  ['sites', sitePaths, 'Sites, their members, domains and operations'],
  ['files', filePaths, "A site's files: list, read, write, upload, zip, move, delete, chmod"],
  ['platform', platformPaths, 'Databases, images, health and metrics'],
  ['fleet', fleetPaths, 'The app hosts and routers the manager drives (admins)'],
  ['shell-server', shellPaths, 'For the SSH server only (signed requests)'],
];

/** Files every operation of `paths` under one tag. */
function tagged(paths: PathItems, tag: string): PathItems {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]) => [key, key === 'parameters' ? value : { tags: [tag], ...(value as object) }]),
      ),
    ]),
  );
}
