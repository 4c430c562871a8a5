import { setTimeout as sleep } from 'node:timers/promises';
import { isDaisError, type ShellAuthResult, type ShellKeyProof } from '@dais/shared';
import type { LoginAttempt, ManagerClient } from '../clients/manager.client';
import type { Logger } from '../log';
import type { FailureThrottle } from './failure-throttle';

/** A site the person may enter, with the manager's single-use token for it. */
export type SiteGrant = ShellAuthResult['sites'][number];

/** Who signed in and where they may go; `notice` is set when the site they named is not theirs. */
export interface SignedIn {
  user: ShellAuthResult['user'] | null;
  sites: SiteGrant[];
  /** A one-line reason to show and end the session with (credentials were right, the site was not). */
  notice?: string;
}

/** The outcome of one sign-in attempt. */
export type SignInOutcome = { ok: true; signedIn: SignedIn } | { ok: false; message: string };

/** The one message for an unknown user and a wrong password alike, so neither gives the other away. */
export const WRONG_CREDENTIALS = 'Wrong username or password.';

/**
 * Asks the manager whether a password or a key (with the client's signature, which the manager
 * verifies) opens this account, slowing repeated failures per address and per user name before
 * and after asking.
 */
export class Authenticator {
  constructor(
    private readonly manager: ManagerClient,
    private readonly throttle: FailureThrottle,
    private readonly log: Logger,
  ) {}

  /** Password (or keyboard-interactive) sign-in. */
  password(login: LoginAttempt, password: string): Promise<SignInOutcome> {
    if (password.length === 0 || password.length > 200) return this.fail(login, WRONG_CREDENTIALS);
    return this.attempt(login, () => this.manager.signInWithPassword(login, password));
  }

  /** Key sign-in: the key, what the client signed and its signature, for the manager to verify. */
  publicKey(login: LoginAttempt, proof: ShellKeyProof): Promise<SignInOutcome> {
    return this.attempt(login, () => this.manager.signInWithPublicKey(login, proof));
  }

  private async attempt(login: LoginAttempt, ask: () => Promise<ShellAuthResult>): Promise<SignInOutcome> {
    // Someone already failing from here (or for this name) waits before being heard again.
    await sleep(this.throttle.delayFor(login.remoteAddress ?? '', login.username));
    try {
      const result = await ask();
      this.throttle.recordSuccess(login.username);
      return { ok: true, signedIn: { user: result.user, sites: result.sites } };
    } catch (error) {
      if (!isDaisError(error)) throw error;
      if (error.code === 'SITE_NOT_FOUND' || error.code === 'SITE_LOCKED') {
        // The credentials were right; only the named site is out of reach. Say so after sign-in.
        return { ok: true, signedIn: { user: null, sites: [], notice: error.message } };
      }
      if (error.code === 'INVALID_CREDENTIALS') return this.fail(login, WRONG_CREDENTIALS);
      if (error.code === 'SSH_SIGNATURE_INVALID' || error.code === 'SSH_SIGNATURE_REPLAYED') {
        // The shell checked the signature too, so the manager disagreeing means a bug or tampering: worth a look.
        this.log.warn({ code: error.code, err: error.message }, 'the manager refused a key sign-in the shell had verified');
        return this.fail(login, WRONG_CREDENTIALS);
      }
      if (error.code === 'RATE_LIMITED') return this.fail(login, error.message);
      // The person sees a generic line; the admin needs the reason (manager down, a balancer refusing the shell…).
      this.log.error({ code: error.code, err: error.message }, 'could not check a sign-in with the manager');
      return { ok: false, message: 'Dais cannot check sign-ins right now; try again in a minute.' };
    }
  }

  private async fail(login: LoginAttempt, message: string): Promise<SignInOutcome> {
    await sleep(this.throttle.recordFailure(login.remoteAddress ?? '', login.username));
    return { ok: false, message };
  }
}
