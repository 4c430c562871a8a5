import { z } from 'zod';

/** `GET /api/auth/providers`: which ways of signing in this manager offers (a sign-in page shows buttons from it). */
export const authProvidersViewSchema = z.object({ password: z.literal(true), oidc: z.boolean() });

/**
 * `GET /api/auth/oidc/callback`: what an OpenID provider sends back. Loose on purpose: providers add
 * their own parameters (`iss`, `session_state`, `scope`…), which go on untouched to the code exchange.
 */
export const oidcCallbackQuerySchema = z.looseObject({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(1024).optional(),
});
