import { addAppHostRequestSchema, addRouterRequestSchema, appHostViewSchema, routerViewSchema } from '@dais/shared';
import { z } from 'zod';
import { adminOnly, body, changing, common, error, noContent, ok, type PathItems } from './fragments';

const name = (what: string) => [
  {
    name: 'name',
    in: 'path',
    required: true,
    description: `The ${what}'s name.`,
    schema: { type: 'string', pattern: '^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$' },
  },
];

/** Why an add is refused after the probe (nothing is written). */
const probeRefusals = {
  '409': error('The name is taken (NAME_TAKEN), or another entry has this URL (FLEET_ADDRESS_TAKEN).'),
  '422': error(
    'The probe refused it: nothing answers at the URL (FLEET_PEER_UNREACHABLE); it answers as another identity: another id, component or key, or a signature that does not verify (FLEET_IDENTITY_MISMATCH); or it runs an incompatible fleet protocol (FLEET_VERSION_INCOMPATIBLE).',
  ),
};
const hostNotFound = { '404': error('No app host has this name (APP_HOST_NOT_FOUND).') };

/** The fleet registry: the app hosts and routers the manager drives (docs/fleet.md). */
export const fleetPaths: PathItems = {
  '/api/admin/app-hosts': {
    get: {
      summary: 'Registered app hosts (orchestrators), with health, version and site count as last seen (admins)',
      responses: { '200': ok('All app hosts.', z.object({ appHosts: z.array(appHostViewSchema) })), ...adminOnly, ...common },
    },
    post: {
      summary: 'Register an app host: probed first (identity, key, version), written only if it proves who it is (admins)',
      requestBody: body(addAppHostRequestSchema),
      responses: { '201': ok('Registered.', appHostViewSchema), ...probeRefusals, ...changing, ...adminOnly },
    },
  },
  '/api/admin/app-hosts/{name}/drain': {
    parameters: name('app host'),
    post: {
      summary: 'Drain an app host: no new sites are placed there (admins)',
      responses: { '200': ok('The host, draining.', appHostViewSchema), ...hostNotFound, ...changing, ...adminOnly },
    },
  },
  '/api/admin/app-hosts/{name}/undrain': {
    parameters: name('app host'),
    post: {
      summary: 'Let a drained app host take new sites again (admins)',
      responses: { '200': ok('The host, active.', appHostViewSchema), ...hostNotFound, ...changing, ...adminOnly },
    },
  },
  '/api/admin/app-hosts/{name}': {
    parameters: name('app host'),
    delete: {
      summary: 'Remove an app host that has no sites (admins)',
      responses: {
        ...noContent('Removed.'),
        ...hostNotFound,
        '409': error('Sites are still placed on it (APP_HOST_HAS_SITES): move them first.'),
        ...changing,
        ...adminOnly,
      },
    },
  },
  '/api/admin/routers': {
    get: {
      summary: 'Registered routers, with health, version and site count as last seen (admins)',
      responses: { '200': ok('All routers.', z.object({ routers: z.array(routerViewSchema) })), ...adminOnly, ...common },
    },
    post: {
      summary: 'Register a router: probed first (identity, key, version), written only if it proves who it is (admins)',
      requestBody: body(addRouterRequestSchema),
      responses: { '201': ok('Registered.', routerViewSchema), ...probeRefusals, ...changing, ...adminOnly },
    },
  },
  '/api/admin/routers/{name}': {
    parameters: name('router'),
    delete: {
      summary: 'Remove a router (admins)',
      responses: { ...noContent('Removed.'), '404': error('No router has this name (ROUTER_NOT_FOUND).'), ...changing, ...adminOnly },
    },
  },
};
