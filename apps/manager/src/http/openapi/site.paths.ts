import {
  addDomainRequestSchema,
  addMemberRequestSchema,
  createSiteRequestSchema,
  deleteSiteRequestSchema,
  domainChangeViewSchema,
  domainViewSchema,
  listOperationsQuerySchema,
  listSitesQuerySchema,
  operationListViewSchema,
  operationViewSchema,
  siteListViewSchema,
  siteMemberViewSchema,
  siteStatusSchema,
  siteViewSchema,
  updateSiteRequestSchema,
} from '@dais/shared';
import { z } from 'zod';
import {
  adminOnly,
  body,
  busy,
  changing,
  common,
  error,
  ids,
  noContent,
  ok,
  operation,
  queryParameters,
  siteNotFound,
  type PathItems,
} from './fragments';

const site = ids(['id', 'site']);

/** Sites, their members and domains, and the operations that change them. */
export const sitePaths: PathItems = {
  '/api/sites': {
    post: {
      summary: 'Create a site (static, or dynamic on a catalogue image)',
      requestBody: body(createSiteRequestSchema),
      responses: {
        '202': ok('Site recorded; its create operation is queued.', siteViewSchema),
        '409': error('The name is taken (SITE_NAME_TAKEN).'),
        '413': error('The body is too large (PAYLOAD_TOO_LARGE).'),
        ...changing,
      },
    },
    get: {
      summary: 'List the sites you can see (admins see all), with search, filters (type, state, availability) and paging',
      parameters: queryParameters(listSitesQuerySchema),
      responses: { '200': ok('A page, newest first.', siteListViewSchema), ...common },
    },
  },
  '/api/sites/{id}': {
    parameters: site,
    get: {
      summary: 'Read a site, its domains and its latest operation',
      responses: { '200': ok('The site.', siteViewSchema), ...siteNotFound, ...common },
    },
    patch: {
      summary:
        'Rename a site, change its description, type or image (limits, availability, nginx options and the disk limit diskLimitMb: admins only)',
      requestBody: body(updateSiteRequestSchema),
      responses: {
        '202': ok('The site, with the update operation if one was needed.', siteViewSchema),
        '409': error(
          'The new name is taken (SITE_NAME_TAKEN), the site is busy (SITE_BUSY), or the new disk limit is below what the site stores (DISK_LIMIT_BELOW_USAGE).',
        ),
        ...siteNotFound,
        ...changing,
      },
    },
    delete: {
      ...operation('Delete a site (its containers, route, files, database and record): type its name in confirm'),
      requestBody: body(deleteSiteRequestSchema),
    },
  },
  '/api/sites/{id}/status': {
    parameters: site,
    get: {
      summary:
        'What the site is doing now (running, starting, crashed with its exit code and output, …) and how much of its disk limit it uses',
      responses: { '200': ok('Live status.', siteStatusSchema), ...siteNotFound, ...common },
    },
  },
  '/api/sites/{id}/restart': { parameters: site, post: operation('Restart a dynamic site (also after a crash)') },
  '/api/sites/{id}/stop': { parameters: site, post: operation("Stop a dynamic site's container") },
  '/api/sites/{id}/start': { parameters: site, post: operation("Start a stopped dynamic site's container") },
  '/api/sites/{id}/repair': {
    parameters: site,
    post: operation('Re-apply the whole desired state of a site: files, container, routes, database (admins)', adminOnly),
  },
  '/api/sites/{id}/members': {
    parameters: site,
    get: {
      summary: "The site's members",
      responses: { '200': ok('Members.', z.object({ members: z.array(siteMemberViewSchema) })), ...siteNotFound, ...common },
    },
    post: {
      summary: 'Add a member (any member may), named by the exact e-mail address of their account; admins may also give a username',
      requestBody: body(addMemberRequestSchema),
      responses: {
        ...common,
        '201': ok('Added.', siteMemberViewSchema),
        '404': error(
          'No such site (SITE_NOT_FOUND), or nobody to add by that (USER_NOT_FOUND: the same answer for an unknown address and for any username sent by a non-admin).',
        ),
        '409': error('Already a member (MEMBER_EXISTS).'),
        ...changing,
      },
    },
  },
  '/api/sites/{id}/members/{userId}': {
    parameters: [...site, ...ids(['userId', 'member'])],
    delete: {
      summary:
        'Remove a member (yourself included), never the last one; their live updates, streams and SSH sessions of the site end at once',
      responses: {
        ...noContent('Removed.'),
        '404': error('No such site (SITE_NOT_FOUND) or member (MEMBER_NOT_FOUND).'),
        '409': error('The last member cannot be removed (LAST_MEMBER).'),
        ...changing,
      },
    },
  },
  '/api/sites/{id}/domains': {
    parameters: site,
    get: {
      summary: "The site's custom domains and their status",
      responses: { '200': ok('Domains.', z.object({ domains: z.array(domainViewSchema) })), ...siteNotFound, ...common },
    },
    post: {
      summary: 'Claim a custom domain: it is routed once its owner proves control (IDN becomes punycode; wildcards are for admins)',
      requestBody: body(addDomainRequestSchema),
      responses: {
        ...common,
        '201': ok(
          'The domain, `unverified`, with the TXT record to publish in `verification.record` (no operation yet: nothing is routed).',
          domainChangeViewSchema,
        ),
        '400': error("Not a valid hostname, or one of the platform's own (HOSTNAME_INVALID, rule reserved)."),
        '403': error('Wildcards are for admins (FORBIDDEN, rule wildcard-admin-only), or no CSRF token.'),
        '409': error(
          'Another site proved control of this hostname, this site has it already (HOSTNAME_CONFLICT), or the site is busy (SITE_BUSY).',
        ),
        ...siteNotFound,
      },
    },
  },
  '/api/sites/{id}/domains/{domainId}': {
    parameters: [...site, ...ids(['domainId', 'domain'])],
    delete: operation('Remove a custom domain', { '404': error('No such site (SITE_NOT_FOUND) or domain (DOMAIN_NOT_FOUND).') }),
  },
  '/api/sites/{id}/domains/{domainId}/check': {
    parameters: [...site, ...ids(['domainId', 'domain'])],
    post: {
      summary: "Look at the domain's TXT record now: verified and routed if it holds the token, else why not",
      responses: {
        '200': ok(
          'The domain after the look (`verification.problem` and `message` say why it is not verified), and the operation routing it if it just was.',
          domainChangeViewSchema,
        ),
        '404': error('No such site (SITE_NOT_FOUND) or domain (DOMAIN_NOT_FOUND), or its claim was just released.'),
        ...busy,
        ...changing,
      },
    },
  },
  '/api/sites/{id}/domains/{domainId}/verify': {
    parameters: [...site, ...ids(['domainId', 'domain'])],
    post: {
      summary: 'Mark a domain verified by hand and route it (admins; audited)',
      responses: {
        ...common,
        '200': ok('The verified domain, and the operation that routes it (null if it was verified already).', domainChangeViewSchema),
        '400': error("The hostname is one of the platform's own (HOSTNAME_INVALID, rule reserved)."),
        '404': error('No such site (SITE_NOT_FOUND) or domain (DOMAIN_NOT_FOUND).'),
        '409': error('Another site proved control of this hostname (HOSTNAME_CONFLICT), or the site is busy (SITE_BUSY).'),
        ...adminOnly,
      },
    },
  },
  '/api/operations': {
    get: {
      summary: 'All operations, newest first, by state and site (admins: e.g. the failed ones to retry or repair)',
      parameters: queryParameters(listOperationsQuerySchema),
      responses: {
        '200': ok('A page of operations, each as GET /api/operations/{id} shows it.', operationListViewSchema),
        ...adminOnly,
        ...common,
      },
    },
  },
  '/api/operations/{id}': {
    parameters: ids(['id', 'operation']),
    get: {
      summary: 'Follow an operation: its steps, their states and messages',
      responses: { '200': ok('The operation.', operationViewSchema), '404': error('No such operation, or not yours.'), ...common },
    },
  },
  '/api/operations/{id}/retry': {
    parameters: ids(['id', 'operation']),
    post: {
      summary: 'Retry a failed operation from its failed step (needs the right to change the site; a repair, an admin)',
      responses: {
        '202': ok('Queued again.', operationViewSchema),
        '404': error('No such operation or site, or not yours.'),
        '409': error('Only failed operations can be retried (OPERATION_NOT_RETRYABLE), or the site is busy (SITE_BUSY).'),
        ...changing,
        '403': error('The site is locked (SITE_LOCKED), only admins retry a repair (FORBIDDEN), or CSRF_FAILED.'),
      },
    },
  },
};
