import { NginxSnippetError, renderNginxSnippet } from '@dais/shared';

/** Thrown when a value cannot be placed in nginx config safely. Rendering never escapes its way out. */
export class NginxRenderError extends Error {
  override readonly name = 'NginxRenderError';
}

const HOSTNAME = /^(\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^\[[0-9a-fA-F:]+\]$/;
const TOKEN = /^[A-Za-z0-9_.-]+$/;

/**
 * Validators for every kind of value that reaches nginx config. Each returns the value unchanged
 * or throws: a value needing escapes is refused, because nginx treats `$`, `;`, `{`, quotes and
 * whitespace as syntax.
 */
export const nginxValue = {
  /** A lowercase ASCII hostname, optionally with a leading `*.`. */
  hostname(value: string): string {
    if (value.length > 253 || !HOSTNAME.test(value) || value.includes('..')) {
      throw new NginxRenderError(`refusing hostname ${JSON.stringify(value)} in nginx config`);
    }
    return value;
  },
  /** An absolute path made of safe characters, without `.`/`..` segments. */
  path(value: string): string {
    const segments = value.split('/').slice(1);
    if (!SAFE_PATH.test(value) || value.includes('//') || segments.some((s) => s === '.' || s === '..')) {
      throw new NginxRenderError(`refusing path ${JSON.stringify(value)} in nginx config`);
    }
    return value;
  },
  /** `ip:port`; never a hostname, which nginx would resolve once and fail the whole config on. */
  address(value: string): string {
    const at = value.lastIndexOf(':');
    const host = value.slice(0, at);
    const port = Number(value.slice(at + 1));
    if (at <= 0 || !(IPV4.test(host) || IPV6.test(host)) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new NginxRenderError(`refusing address ${JSON.stringify(value)} in nginx config (use ip:port)`);
    }
    return value;
  },
  /** A listen address `ip:port` (IPv6 hosts get brackets). */
  listen(host: string, port: number): string {
    return nginxValue.address(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
  },
  /**
   * An admin's snippet for a site's own server block, as the lines nginx will read: checked by
   * nginx's tokenizer rules and the snippet policy of `@dais/shared`, then re-emitted from the
   * checked tokens, so it can never close the block it sits in nor say anything unchecked.
   */
  snippet(value: string): string[] {
    try {
      return renderNginxSnippet(value);
    } catch (error) {
      if (error instanceof NginxSnippetError) throw new NginxRenderError(`refusing the nginx snippet: ${error.message}`);
      throw error;
    }
  },
  /** A non-negative integer. */
  integer(value: number): string {
    if (!Number.isSafeInteger(value) || value < 0) throw new NginxRenderError(`refusing number ${String(value)} in nginx config`);
    return String(value);
  },
  /** A short word: letters, digits, `_`, `.`, `-`. */
  token(value: string): string {
    if (!TOKEN.test(value)) throw new NginxRenderError(`refusing token ${JSON.stringify(value)} in nginx config`);
    return value;
  },
};

/** Renders the body of a `map` include file: one `"key" "value";` line per entry, sorted so output is stable. */
export function renderMapEntries(entries: Iterable<readonly [key: string, value: string]>): string {
  const lines = [...entries].map(([key, value]) => `"${key}" "${value}";`);
  lines.sort();
  return lines.length === 0 ? '# no entries\n' : `${lines.join('\n')}\n`;
}
