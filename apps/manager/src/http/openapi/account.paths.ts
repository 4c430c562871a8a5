import {
  addSshKeyRequestSchema,
  auditListViewSchema,
  authProvidersViewSchema,
  changePasswordRequestSchema,
  createdTokenViewSchema,
  createTokenRequestSchema,
  createUserRequestSchema,
  loginRequestSchema,
  pageQuerySchema,
  sessionViewSchema,
  pathIdSchema,
  sshKeyListViewSchema,
  sshKeyViewSchema,
  tokenListViewSchema,
  updateAccountRequestSchema,
  updateUserRequestSchema,
  userListViewSchema,
  userViewSchema,
} from '@dais/shared';
import { adminOnly, body, changing, common, error, ids, noContent, ok, queryParameters, type PathItems } from './fragments';

const anyone = { security: [] };

/** Signing in and out, tokens, SSH keys, users and the audit log. */
export const accountPaths: PathItems = {
  '/api/auth/providers': {
    get: {
      ...anyone,
      summary: 'How people may sign in here (password; single sign-on when configured)',
      responses: { '200': ok('Sign-in methods.', authProvidersViewSchema) },
    },
  },
  '/api/auth/login': {
    post: {
      ...anyone,
      summary: 'Sign in with a password (JSON only): sets the dais_session (HttpOnly) and dais_csrf cookies',
      requestBody: body(loginRequestSchema),
      responses: {
        '200': ok('Signed in; send csrfToken as X-CSRF-Token on every request that changes something.', sessionViewSchema),
        '400': common['400'],
        '401': error('Wrong username or password, the same answer for every reason (INVALID_CREDENTIALS).'),
        '403': error("Sent from another site's page: an Origin other than the dashboard's (CSRF_FAILED)."),
        '415': error('The body is not application/json, e.g. an HTML form (UNSUPPORTED_MEDIA_TYPE).'),
        '429': error(
          'Too many failed sign-ins from this address or for this account: wait the Retry-After header (RATE_LIMITED; details.retryAfterSeconds, retryAfterMs). A delay, never a lock.',
        ),
      },
    },
  },
  '/api/auth/logout': {
    post: { summary: 'Sign out: ends this session and clears the cookies', responses: { ...noContent('Signed out.'), ...changing } },
  },
  '/api/auth/me': {
    get: {
      summary: 'Who am I (and the CSRF token of this session)',
      responses: { '200': ok('The account.', sessionViewSchema), ...common },
    },
    patch: {
      summary: 'Set or remove your e-mail address (other people add you to sites by it; only you and admins see it)',
      requestBody: body(updateAccountRequestSchema),
      responses: {
        '200': ok('The account.', userViewSchema),
        '409': error('Another account has this address (EMAIL_TAKEN).'),
        ...changing,
      },
    },
  },
  '/api/auth/password': {
    post: {
      summary:
        'Change your password; unless endOtherSessions is false, every other session is signed out, every API token revoked and every SSH session closed',
      requestBody: body(changePasswordRequestSchema),
      responses: {
        ...noContent('Changed.'),
        ...changing,
        '409': error('The account signs in with single sign-on and has no password (NO_PASSWORD).'),
        '429': error('Too many wrong current passwords (RATE_LIMITED).'),
      },
    },
  },
  '/api/auth/oidc/login': {
    get: {
      ...anyone,
      summary: 'Start single sign-on: redirects to the OpenID Connect provider',
      responses: {
        '302': { description: 'To the provider, with a one-time state cookie.' },
        '404': error('Single sign-on is not configured (SSO_NOT_CONFIGURED).'),
        '503': error('The provider does not answer (SSO_PROVIDER_UNAVAILABLE).'),
      },
    },
  },
  '/api/auth/oidc/callback': {
    get: {
      ...anyone,
      summary: 'Where the provider sends the browser back: signs in and redirects to /',
      responses: {
        '302': { description: 'Signed in: the session cookies are set.' },
        '400': error('The state does not match this browser, was used, or expired (SSO_STATE_INVALID).'),
        '401': error('The provider refused or its answer did not verify (SSO_FAILED).'),
        '403': error('The account is disabled.'),
        '404': error('Single sign-on is not configured (SSO_NOT_CONFIGURED).'),
        '503': error('The provider does not answer (SSO_PROVIDER_UNAVAILABLE).'),
      },
    },
  },
  '/api/tokens': {
    get: {
      summary: 'Your personal API tokens (never the secrets)',
      responses: { '200': ok('Live tokens.', tokenListViewSchema), ...common },
    },
    post: {
      summary: 'Create a personal API token for scripts (shown once; only its hash is kept)',
      requestBody: body(createTokenRequestSchema),
      responses: { '201': ok('The token: copy it now.', createdTokenViewSchema), ...changing },
    },
  },
  '/api/tokens/{id}': {
    parameters: ids(['id', 'token']),
    delete: {
      summary: 'Revoke one of your tokens',
      responses: { ...noContent('Revoked.'), '404': error('You have no live token with this id.'), ...changing },
    },
  },
  '/api/ssh-keys': {
    get: {
      summary: 'Your SSH public keys, with their fingerprints',
      responses: { '200': ok('Your keys.', sshKeyListViewSchema), ...common },
    },
    post: {
      summary: 'Add an SSH public key (Ed25519, ECDSA, RSA ≥ 3072 bits, FIDO)',
      requestBody: body(addSshKeyRequestSchema),
      responses: {
        '201': ok('Added (stored without its comment).', sshKeyViewSchema),
        '409': error('The key is already registered (SSH_KEY_TAKEN).'),
        ...changing,
        '400': error('Not a valid OpenSSH public key line, or a refused type or size (SSH_KEY_INVALID; details.issues[0].rule).'),
      },
    },
  },
  '/api/ssh-keys/{id}': {
    parameters: ids(['id', 'SSH key']),
    delete: {
      summary: 'Remove one of your SSH keys',
      responses: { ...noContent('Removed.'), '404': error('You have no such key (SSH_KEY_NOT_FOUND).'), ...changing },
    },
  },
  '/api/users': {
    get: {
      summary: 'Accounts (admins)',
      parameters: queryParameters(pageQuerySchema),
      responses: { '200': ok('A page of accounts.', userListViewSchema), ...adminOnly, ...common },
    },
    post: {
      summary: 'Create an account (admins)',
      requestBody: body(createUserRequestSchema),
      responses: {
        '201': ok('Created.', userViewSchema),
        '409': error('The username (NAME_TAKEN) or e-mail address (EMAIL_TAKEN) is taken.'),
        ...changing,
        ...adminOnly,
      },
    },
  },
  '/api/users/{id}': {
    parameters: ids(['id', 'user']),
    patch: {
      summary:
        "Change an account: name, e-mail, role, disable, reset password (admins). Disabling ends the person's sessions, live streams and SSH sessions; a new password also revokes their API tokens, unless keepSessions is true",
      requestBody: body(updateUserRequestSchema),
      responses: {
        '200': ok('The account.', userViewSchema),
        '404': error('No such user.'),
        '409': error('Another account has this e-mail address (EMAIL_TAKEN).'),
        ...changing,
        '403': error('Admins only; admins cannot demote or disable themselves.'),
      },
    },
  },
  '/api/audit': {
    get: {
      summary: 'The audit log: admins see all; others see their sites and their own account',
      parameters: queryParameters(pageQuerySchema.extend({ siteId: pathIdSchema.optional() })),
      responses: { '200': ok('Newest first.', auditListViewSchema), ...common },
    },
  },
};
