import { Controller, Get, Query, Redirect, Req, Res } from '@nestjs/common';
import { DaisError, oidcCallbackQuerySchema, parseInput } from '@dais/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth.guard';
import { AuthService } from '../auth.service';
import { setSessionCookies } from '../session-cookie';
import { clearOidcStateCookie, oidcStateOf, setOidcStateCookie } from './oidc-state-cookie';
import { OidcService } from './oidc.service';

/** The query string of a request as it arrived (`?…`, or empty). */
const searchOf = (request: FastifyRequest) => {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index);
};

/** `/api/auth/providers` and `/api/auth/oidc/*`: single sign-on with OpenID Connect. */
@Controller('api/auth')
export class OidcController {
  constructor(
    private readonly sso: OidcService,
    private readonly auth: AuthService,
  ) {}

  /** Which sign-in buttons a sign-in page should show. */
  @Public()
  @Get('providers')
  providers(): { password: true; oidc: boolean } {
    return { password: true, oidc: this.sso.enabled };
  }

  /** Sends the browser to the identity provider. */
  @Public()
  @Get('oidc/login')
  @Redirect()
  async login(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ url: string; statusCode: number }> {
    const { url, state } = await this.sso.start();
    setOidcStateCookie(reply, state, this.auth.secureCookies);
    return { url, statusCode: 302 };
  }

  /**
   * Where the provider sends the browser back: signs it in and goes to the dashboard. A refusal goes
   * back to the dashboard's sign-in page with its code when a browser navigated here (it asked for
   * HTML), so a person sees a sentence instead of JSON; scripts get the coded error as everywhere.
   */
  @Public()
  @Get('oidc/callback')
  @Redirect('/', 302)
  async callback(
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ url: string } | undefined> {
    try {
      const params = parseInput(oidcCallbackQuerySchema, query, 'sign-in answer');
      const cookieState = oidcStateOf(request);
      // One attempt per sign-in, whatever happens next.
      clearOidcStateCookie(reply, this.auth.secureCookies);
      const { session } = await this.sso.finish(
        { state: params.state, search: searchOf(request), cookieState },
        { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
      );
      setSessionCookies(reply, session, this.auth.secureCookies);
      return undefined;
    } catch (error) {
      if (!(error instanceof DaisError) || !wantsHtml(request)) throw error;
      return { url: `/sign-in?sso_error=${encodeURIComponent(error.code)}` };
    }
  }
}

/** A browser navigating (Accept names text/html first-class), not a script or fetch. */
function wantsHtml(request: FastifyRequest): boolean {
  return /(^|,)\s*text\/html/.test(request.headers.accept ?? '');
}
