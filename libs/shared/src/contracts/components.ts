import type { RouteRule } from '../signing/route-allowlist';

/** The identities components sign with. Extra orchestrators may use ids like `orchestrator-2`. */
export const COMPONENT_IDS = ['manager', 'orchestrator', 'router', 'shell'] as const;

/** One of the four component roles. */
export type ComponentId = (typeof COMPONENT_IDS)[number];

/**
 * Who may call what, per receiver (DESIGN.md "Trust boundaries"). The apps enforce this table
 * after verifying signatures; the load-balancer configs in `nginx/` enforce the same prefixes.
 */
export const TRUSTED_ROUTES = {
  orchestrator: {
    manager: [{ prefix: '/' }],
    shell: [{ prefix: '/ws/shell-server/', methods: ['GET'] }],
  },
  router: {
    manager: [{ prefix: '/' }],
  },
  manager: {
    shell: [{ prefix: '/shell-server/' }],
  },
} as const satisfies Record<'orchestrator' | 'router' | 'manager', Partial<Record<ComponentId, readonly RouteRule[]>>>;
