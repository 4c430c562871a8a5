import { shellAuthResultSchema, shellPasswordAuthSchema, shellPublicKeyAuthSchema, shellSessionEventSchema } from '@dais/shared';
import { body, error, ok, type PathItems } from './fragments';

const shellOnly = { security: [{ shellSignature: [] }] };
const refusals = {
  '400': error('The body breaks the contract.'),
  '403': error('Not signed by the shell (FORBIDDEN): every other caller, browsers and admins included, is refused.'),
};
const signIn = (summary: string, schema: Parameters<typeof body>[0]) => ({
  ...shellOnly,
  summary,
  requestBody: body(schema),
  responses: {
    '200': ok(
      "The user's sites, each with a single-use token (≤ 60 s) the orchestrator verifies with the manager's key.",
      shellAuthResultSchema,
    ),
    ...refusals,
    '401': error('Wrong credentials, the same answer for every reason (INVALID_CREDENTIALS).'),
    '404': error('The site named in user+site is not theirs (SITE_NOT_FOUND).'),
    '429': error('Too many failed sign-ins (RATE_LIMITED).'),
  },
});

/** What only the SSH server may call (the load balancer admits only it on /shell-server/). */
export const shellPaths: PathItems = {
  '/shell-server/auth/password': { post: signIn('Check a password for the SSH server', shellPasswordAuthSchema) },
  '/shell-server/auth/public-key': {
    post: signIn('Check whose SSH key this is (the shell verified the signature)', shellPublicKeyAuthSchema),
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
