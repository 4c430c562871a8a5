import { Inject, Injectable, Logger } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import * as openid from 'openid-client';
import { MANAGER_CONFIG, type ManagerConfig } from '../../../config/manager.config';

/** The one-time secrets of a sign-in in progress, kept by the manager until the provider sends the person back. */
export interface PendingOidcLogin {
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in, from a verified ID token (and the userinfo endpoint if needed). */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  preferredUsername?: string | undefined;
  email?: string | undefined;
  /** The provider vouches that the person controls `email` (`email_verified: true`). */
  emailVerified: boolean;
  name?: string | undefined;
}

/** What Dais asks the provider for: an ID token, and enough profile to choose a username. */
const SCOPES = 'openid profile email';
/** Where the provider sends people back, under the manager's public URL. */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

const textClaim = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 500 ? value : undefined);
const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

/**
 * The OpenID Connect relying party (authorization code flow with PKCE, state and nonce): the only
 * importer of openid-client. Discovers the provider on first use and keeps what it learnt.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger('SSO');
  private configuration: Promise<openid.Configuration> | undefined;

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  /** Whether single sign-on is configured at all. */
  get enabled(): boolean {
    return this.config.oidc !== null;
  }

  /** The redirect URI to register at the provider. */
  get redirectUri(): string {
    return `${this.config.publicUrl}${OIDC_CALLBACK_PATH}`;
  }

  /** Where to send the browser to sign in, with the state to bind to it and the secrets to keep. */
  async authorizationRequest(): Promise<{ url: string; state: string; pending: PendingOidcLogin }> {
    const configuration = await this.discover();
    const state = openid.randomState();
    const pending = { nonce: openid.randomNonce(), codeVerifier: openid.randomPKCECodeVerifier() };
    const url = openid.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: SCOPES,
      state,
      nonce: pending.nonce,
      code_challenge: await openid.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state, pending };
  }

  /**
   * Exchanges the code the provider sent back (`search` is the callback's query string) and
   * validates the ID token: signature, issuer, audience, expiry, nonce; PKCE proves the code is ours.
   */
  async identify(search: string, state: string, pending: PendingOidcLogin): Promise<OidcIdentity> {
    const configuration = await this.discover();
    try {
      const tokens = await openid.authorizationCodeGrant(configuration, new URL(`${this.redirectUri}${search}`), {
        expectedState: state,
        expectedNonce: pending.nonce,
        pkceCodeVerifier: pending.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new DaisError('SSO_FAILED', 'The identity provider sent no ID token.');
      let profile: Record<string, unknown> = claims;
      // Many providers put profile claims only in userinfo; they are needed to name a new account.
      if (!textClaim(claims.preferred_username) && !textClaim(claims.email) && configuration.serverMetadata().userinfo_endpoint) {
        profile = { ...(await openid.fetchUserInfo(configuration, tokens.access_token, claims.sub)), ...claims };
      }
      return {
        issuer: claims.iss,
        subject: claims.sub,
        preferredUsername: textClaim(profile.preferred_username),
        email: textClaim(profile.email),
        emailVerified: profile.email_verified === true,
        name: textClaim(profile.name),
      };
    } catch (error) {
      throw this.explain(error);
    }
  }

  private discover(): Promise<openid.Configuration> {
    const settings = this.config.oidc;
    if (!settings) return Promise.reject(notConfigured());
    this.configuration ??= this.runDiscovery(settings).catch((error: unknown) => {
      // Not cached: the next sign-in tries again (the provider may just have been down).
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async runDiscovery(settings: NonNullable<ManagerConfig['oidc']>): Promise<openid.Configuration> {
    const issuer = new URL(settings.issuer);
    // Plain http only to a provider on this host (tests, a local IdP); anything else must be TLS.
    const insecure = issuer.protocol === 'http:';
    if (insecure && !isLoopback(issuer.hostname)) {
      throw new DaisError(
        'SSO_PROVIDER_UNAVAILABLE',
        'DAIS_OIDC_ISSUER must be an https:// URL (plain http is allowed only on this host).',
      );
    }
    try {
      const configuration = await openid.discovery(issuer, settings.clientId, undefined, openid.ClientSecretBasic(settings.clientSecret), {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only as a warning sign; limited to loopback above
        execute: insecure ? [openid.allowInsecureRequests, openid.enableNonRepudiationChecks] : [openid.enableNonRepudiationChecks],
        timeout: 10,
      });
      return configuration;
    } catch (error) {
      this.logger.error(`discovery of ${settings.issuer} failed: ${describe(error)}`);
      throw new DaisError('SSO_PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached right now; try again in a moment.');
    }
  }

  /** Turns whatever the exchange threw into an answer for the person signing in; details go to the log. */
  private explain(error: unknown): DaisError {
    if (error instanceof DaisError) return error;
    this.logger.warn(`sign-in failed: ${describe(error)}`);
    if (error instanceof openid.AuthorizationResponseError) {
      const reason = error.error_description ? `${error.error}: ${error.error_description.slice(0, 200)}` : error.error;
      return new DaisError('SSO_FAILED', `The identity provider did not sign you in (${reason}).`, { providerError: error.error });
    }
    if (error instanceof openid.ResponseBodyError && error.status < 500) {
      return new DaisError('SSO_FAILED', `The identity provider refused the sign-in code (${error.error}); start the sign-in again.`, {
        providerError: error.error,
      });
    }
    if (isUnreachable(error)) {
      return new DaisError('SSO_PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached right now; try again in a moment.');
    }
    return new DaisError('SSO_FAILED', "The identity provider's answer did not pass validation; start the sign-in again.");
  }
}

function notConfigured(): DaisError {
  return new DaisError('SSO_NOT_CONFIGURED', 'Single sign-on is not set up on this Dais; sign in with a username and password.');
}

/** Network trouble, a timeout, or a provider answering 5xx. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof openid.ResponseBodyError) return true; // only 5xx reach this point
  if (error instanceof TypeError) return true; // fetch failed
  const code = (error as { code?: unknown }).code;
  return error instanceof openid.ClientError && (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
