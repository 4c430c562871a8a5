/** A route a caller may use: a path prefix and, optionally, the methods allowed on it. */
export interface RouteRule {
  /** `/` for everything, `/ws/shell-server/` for that subtree; a prefix without a trailing slash matches exactly. */
  prefix: string;
  methods?: readonly string[];
}

/**
 * True when the path (query ignored) is within one of the rules. Paths that could be read
 * differently by a proxy and by the router (dot segments, encoded slashes or dots, backslashes,
 * empty segments) never match, so the allow-list cannot be sidestepped.
 */
export function isRouteAllowed(rules: readonly RouteRule[], method: string, pathWithQuery: string): boolean {
  const path = pathWithQuery.split('?', 1)[0] ?? '';
  if (!isPlainPath(path)) return false;
  return rules.some((rule) => {
    const pathMatches = rule.prefix.endsWith('/')
      ? path.startsWith(rule.prefix) || path === rule.prefix.slice(0, -1)
      : path === rule.prefix;
    return pathMatches && (!rule.methods || rule.methods.includes(method.toUpperCase()));
  });
}

/** A path with no tricks: starts with `/`, no `//`, no `.`/`..` segments, no `%2e`/`%2f`/`%5c`, no backslash. */
export function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || path.includes('//') || path.includes('\\')) return false;
  if (/%(2e|2f|5c|00)/i.test(path)) return false;
  return !path.split('/').some((segment) => segment === '.' || segment === '..');
}
