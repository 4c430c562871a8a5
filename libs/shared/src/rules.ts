/**
 * The rules the dashboard shares with the server, so the browser checks input exactly as the API does:
 * the contracts it sends and reads, and the site-name rule. Browser-safe only (zod, no Node built-ins
 * except hostname.ts's punycode helper, which the dashboard shims). Exported as `@dais/shared/rules`
 * from source: the dashboard's bundler compiles it; Node code imports `@dais/shared` instead.
 */
export * from './contracts/accounts';
export * from './contracts/images';
export * from './contracts/live-streams';
export * from './contracts/manager-api';
export * from './contracts/orchestrator';
export * from './contracts/platform';
export * from './contracts/runtime';
export * from './contracts/site-disk';
export * from './contracts/site-files';
export * from './contracts/site-management';
export * from './contracts/site-status';
export * from './contracts/sql-console';
export * from './contracts/terminal-channel';
export * from './naming/site-name';
