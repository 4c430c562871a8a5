import { shellAuthResultSchema, shellPasswordAuthSchema, shellPublicKeyAuthSchema, shellSessionEventSchema } from '@dais/shared';
import { body, error, ok, type PathItems } from './fragments';

const shellOnly = { security: [{ shellSignature: [] }] };
const refusals = {
  '400': error('The body breaks the contract.'),
  '403': error(
    'Not signed by the shell, or a signed request seen before (FORBIDDEN, `details.reason`): every other caller, browsers and admins included, is refused.',
  ),
  '503': error('Redis, where accepted nonces are remembered, does not answer (REPLAY_CHECK_UNAVAILABLE): try again.'),
};
const signIn = (
  summary: string,
  schema: Parameters<typeof body>[0],
  wrong = 'Wrong credentials, the same answer for every reason (INVALID_CREDENTIALS).',
) => ({
  ...shellOnly,
  summary,
  requestBody: body(schema),
  responses: {
    '200': ok(
      "The user's sites, each with a single-use token (≤ 60 s) the orchestrator verifies with the manager's key.",
      shellAuthResultSchema,
    ),
    ...refusals,
    '401': error(wrong),
    '404': error('The site named in user+site is not theirs (SITE_NOT_FOUND).'),
    '429': error('Too many failed sign-ins (RATE_LIMITED).'),
  },
});

/** What only the SSH server may call (the load balancer admits only it on /shell-server/). */
export const shellPaths: PathItems = {
  '/shell-server/auth/password': { post: signIn('Check a password for the SSH server', shellPasswordAuthSchema) },
  '/shell-server/auth/public-key': {
    post: signIn(
      "Verify an SSH key sign-in (the client's own signature over its session's sign-in request) and say whose key it is",
      shellPublicKeyAuthSchema,
      "The signed data or the signature does not check out (SSH_SIGNATURE_INVALID), this signed request was used before (SSH_SIGNATURE_REPLAYED), or the key is not this user's (INVALID_CREDENTIALS).",
    ),
  },
  '/shell-server/sessions': {
    post: {
      ...shellOnly,
      summary: 'Record a shell session starting or ending, for the audit log',
      requestBody: body(shellSessionEventSchema),
      responses: { '204': { description: 'Recorded.' }, ...refusals },
    },
  },
};
