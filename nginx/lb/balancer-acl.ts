/** Who is calling, as the balancer sees it: identified by client certificate or source address, else `public`. */
export type BalancerCaller = 'public' | 'shell' | 'manager';

/** Which component a balancer server sits in front of. */
export type BalancerTargetRole = 'manager' | 'orchestrator' | 'router';

/** One line of the balancer's allow-list. Rules are checked in order; the first that matches decides. */
export interface BalancerRule {
  allow: boolean;
  callers: readonly BalancerCaller[];
  /** `/x/` matches `/x` and everything under it; `/` matches everything. */
  prefix: string;
  /** Methods the rule covers; all methods when absent. */
  methods?: readonly string[];
  /** Written into the rendered config beside the rule. */
  why: string;
}

/**
 * The trust boundaries of DESIGN.md as the load balancers enforce them. Deliberately written out
 * here rather than derived from `TRUSTED_ROUTES`: the apps' table and this one are two independent
 * statements of the same policy, so a mistake in one is caught by the other (test/load-balancer.test.ts).
 * Anything no rule allows is refused.
 */
export const BALANCER_ACL: Readonly<Record<BalancerTargetRole, readonly BalancerRule[]>> = {
  manager: [
    { allow: true, callers: ['shell'], prefix: '/shell-server/', why: 'the SSH server checks logins and records sessions' },
    { allow: false, callers: ['public', 'manager'], prefix: '/shell-server/', why: 'nobody but the shell reaches /shell-server/' },
    {
      allow: false,
      callers: ['public', 'manager'],
      prefix: '/metrics/',
      why: 'metrics are for the monitoring system, which scrapes the manager directly',
    },
    { allow: true, callers: ['public', 'manager'], prefix: '/', why: 'browsers: the dashboard, /api/ and /socket.io/' },
  ],
  orchestrator: [
    {
      allow: false,
      callers: ['public', 'shell'],
      prefix: '/v1/backup/',
      why: "backups carry every site's files and databases: the manager alone (docs/backup.md)",
    },
    { allow: true, callers: ['manager'], prefix: '/', why: 'the manager drives the control API and its websockets' },
    { allow: true, callers: ['shell'], prefix: '/ws/shell-server/', methods: ['GET'], why: 'shell sessions (websocket upgrade)' },
  ],
  router: [
    {
      allow: false,
      callers: ['public', 'shell'],
      prefix: '/v1/backup/',
      why: 'the ACME account and certificates: the manager alone (docs/backup.md)',
    },
    { allow: true, callers: ['manager'], prefix: '/', why: 'the manager drives the routes and certificates' },
  ],
};
