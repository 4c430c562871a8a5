import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { normalizeHostname } from '../naming/hostname';
import { SITE_NAME_LENGTH } from '../naming/site-name';

/** The longest sites domain: a dot and the longest site name must still fit in a 253-character hostname. */
const SITES_DOMAIN_MAX = 253 - SITE_NAME_LENGTH.max - 1;

/** Reusable zod fields for environment configuration (raw strings in, typed values out). */
export const envField = {
  /** Comma-separated items, trimmed, empty ones dropped; `.pipe()` it into the items' own schema. */
  commaList: () =>
    z.string().transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  /** A TCP port number. */
  port: () =>
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(1, 'must be 1-65535')
      .max(65535, 'must be 1-65535'),
  /** A positive whole number (milliseconds, counts, sizes). */
  positiveInt: () => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be greater than 0'),
  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  boolean: () =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** An absolute filesystem path (relative paths would depend on the working directory). */
  absolutePath: () => z.string().refine((p) => isAbsolute(p) && !p.includes('\0'), 'must be an absolute path'),
  /** An http(s) URL without a trailing slash. */
  httpUrl: () =>
    z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL')
      .transform((u) => u.replace(/\/+$/, '')),
  /** A host address to listen on. */
  listenHost: () => z.string().refine((h) => isIP(h) !== 0, 'must be an IP address such as 127.0.0.1 or 0.0.0.0'),
  /** A hostname (one label allowed, e.g. `localhost`), normalised to lowercase ASCII. */
  hostname: () =>
    z.string().transform((value, ctx) => {
      const result = normalizeHostname(value, { minLabels: 1 });
      if (result.ok) return result.hostname;
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    }),
  /**
   * The hostname sites live under, e.g. `sites.example.org`, short enough that
   * `<longest site name>.<domain>` is still a hostname.
   */
  sitesDomain: () =>
    envField
      .hostname()
      .refine(
        (domain) => domain.length <= SITES_DOMAIN_MAX,
        `must be at most ${SITES_DOMAIN_MAX} characters, so that every <site name>.<domain> fits in 253`,
      ),
  /** Comma-separated IP addresses or CIDR networks (`10.0.0.5, 10.0.0.0/8, fd00::/8`); empty for none. */
  addressList: () =>
    envField
      .commaList()
      .pipe(z.array(z.string().refine((item) => addressFamily(item) !== 0, 'must be IP addresses or CIDR ranges, comma-separated'))),
  /** A component identity, as used in request signing. */
  componentId: () => z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and hyphens, starting with a letter'),
};

/** The IP family of an address or CIDR network (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`), 0 if it is neither. */
export function addressFamily(value: string): 0 | 4 | 6 {
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 0;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))) return 0;
  return family === 4 ? 4 : 6;
}
