import { z } from 'zod';

/**
 * `GET /api/platform`: what a dashboard needs to know about this installation, so it can refuse
 * an oversized upload before sending it and tell people how to reach their sites and the shell.
 */
export const platformViewSchema = z.object({
  /** The domain every site gets a name under (`<name>.<sitesDomain>`). */
  sitesDomain: z.string(),
  /** A site's public address with `<name>` in place of the site name, e.g. `http://<name>.dais.localhost:8080/`. */
  siteUrlExample: z.string(),
  /** The largest file an upload (PUT …/files/content, POST …/files/upload) may carry; null when the orchestrator did not say. */
  uploadLimitBytes: z.number().int().positive().nullable(),
  /** The largest JSON body POST …/files/write accepts: an editor saves files somewhat smaller than this (JSON escaping). */
  editLimitBytes: z.number().int().positive(),
  /** Where people connect with `ssh`/`sftp` (`ssh -p <port> <user>+<site>@<host>`). */
  ssh: z.object({ host: z.string(), port: z.number().int().min(1).max(65_535) }),
  /** Single sign-on offered on the sign-in page. */
  sso: z.object({ oidc: z.boolean() }),
});

/** Parsed form of {@link platformViewSchema}. */
export type PlatformView = z.output<typeof platformViewSchema>;
