/** `user`, `user+site` or `user/site`: who signs in and, optionally, the site to go straight into. */
export type LoginName = { ok: true; username: string; site?: string } | { ok: false; message: string };

/** Longest login name accepted: a 32-character user name, a separator and a 32-character site name, with room to spare. */
export const MAX_LOGIN_NAME_LENGTH = 80;

const USERNAME = /^[a-z][a-z0-9_-]{0,31}$/;
const SITE = /^[a-z][a-z0-9-]{0,31}$/;
// C0 controls, DEL and C1 controls: they would reach logs and terminals as escape sequences.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Splits and checks the name an SSH client sent. Everything that is not a plausible Dais user
 * (and site) name is refused here with a one-line reason, before any password is asked for.
 */
export function parseLoginName(raw: string): LoginName {
  if (CONTROL.test(raw)) return { ok: false, message: 'The user name contains control characters.' };
  if (raw.length > MAX_LOGIN_NAME_LENGTH)
    return { ok: false, message: `The user name is longer than ${MAX_LOGIN_NAME_LENGTH} characters.` };
  const separator = raw.search(/[+/]/);
  const username = separator === -1 ? raw : raw.slice(0, separator);
  const site = separator === -1 ? undefined : raw.slice(separator + 1);
  if (!USERNAME.test(username)) {
    return { ok: false, message: 'Sign in as user, user+site or user/site (lowercase letters, digits, _ and -).' };
  }
  if (site === undefined) return { ok: true, username };
  if (!SITE.test(site)) return { ok: false, message: `"${site}" is not a site name; sign in as user+site.` };
  return { ok: true, username, site };
}
