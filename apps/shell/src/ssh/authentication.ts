import { utils, type AuthContext, type AuthenticationType, type KeyboardAuthContext, type PublicKeyAuthContext } from 'ssh2';
import type { Authenticator, SignedIn, SignInOutcome } from '../auth/authenticator';
import { parseLoginName } from '../auth/login-name';
import type { LoginAttempt } from '../clients/manager.client';
import { signatureAlgorithm, sshSignatureBlob } from './signature-encoding';

/** The methods the shell offers: keys first, then a password prompt that can explain a refusal. */
const METHODS: AuthenticationType[] = ['publickey', 'keyboard-interactive', 'password'];
/** After a wrong password through the prompt, plain `password` is not offered again: one guess, one check. */
const AFTER_PROMPT: AuthenticationType[] = ['publickey', 'keyboard-interactive'];

/** What one connection's sign-in produced, once it succeeded. */
export interface ConnectionLogin {
  username: string;
  site?: string | undefined;
  signedIn: SignedIn;
}

/**
 * Answers ssh2's authentication requests for one connection. Every request is rejected unless
 * the manager accepted the password, or the manager verified the key's signature itself (the
 * shell forwards what the client signed) and says the key is this user's. A malformed user name
 * is refused with its reason and the connection closed; a wrong password is told so through
 * keyboard-interactive, the only method that can carry a message before sign-in.
 */
export class ConnectionAuthentication {
  private login: ConnectionLogin | undefined;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly remoteAddress: string | null,
    private readonly disconnect: () => void,
  ) {}

  /** The successful sign-in, after ssh2 emitted `ready`. */
  get result(): ConnectionLogin | undefined {
    return this.login;
  }

  /** Handles one `authentication` event. */
  handle(ctx: AuthContext): void {
    const name = parseLoginName(ctx.username);
    if (!name.ok) {
      if (ctx.method === 'keyboard-interactive') this.tell(ctx, name.message, () => this.disconnect());
      else ctx.reject(['keyboard-interactive']); // Steer the client to the one method that can show why.
      return;
    }
    const attempt: LoginAttempt = { username: name.username, site: name.site, remoteAddress: this.remoteAddress };
    switch (ctx.method) {
      case 'publickey':
        this.withKey(ctx, attempt);
        return;
      case 'password':
        this.settle(ctx, attempt, this.authenticator.password(attempt, ctx.password));
        return;
      case 'keyboard-interactive':
        this.withPrompt(ctx, attempt);
        return;
      case 'none':
      case 'hostbased':
        ctx.reject(METHODS);
        return;
    }
  }

  private withKey(ctx: PublicKeyAuthContext, attempt: LoginAttempt): void {
    const key = utils.parseKey(ctx.key.data);
    if (key instanceof Error) {
      ctx.reject(METHODS);
      return;
    }
    // Without a signature the client only asks whether the key would do. Every key "would do" and
    // the manager is not asked: asking would tell anyone holding a public key (they are often
    // published) whether it opens an account here. The manager decides once the client has signed.
    if (!ctx.signature || !ctx.blob) {
      ctx.accept();
      return;
    }
    // Checked here too, so garbage never costs the manager a call; the manager's check is the one that counts.
    if (!key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) {
      ctx.reject(METHODS);
      return;
    }
    let signature: Buffer;
    try {
      signature = sshSignatureBlob(signatureAlgorithm(ctx.key.algo, ctx.hashAlgo), ctx.signature);
    } catch {
      ctx.reject(METHODS);
      return;
    }
    const proof = {
      publicKey: `${key.type} ${key.getPublicSSH().toString('base64')}`,
      signedData: ctx.blob.toString('base64'),
      signature: signature.toString('base64'),
    };
    this.settle(ctx, attempt, this.authenticator.publicKey(attempt, proof));
  }

  private withPrompt(ctx: KeyboardAuthContext, attempt: LoginAttempt): void {
    ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers: string[] | Error) => {
      if (answers instanceof Error || typeof answers[0] !== 'string') {
        ctx.reject(METHODS);
        return;
      }
      void this.authenticator.password(attempt, answers[0]).then(
        (outcome) => {
          if (outcome.ok) this.accept(ctx, attempt, outcome);
          else this.tell(ctx, outcome.message, () => ctx.reject(AFTER_PROMPT));
        },
        () => ctx.reject(METHODS),
      );
    });
  }

  private settle(ctx: AuthContext, attempt: LoginAttempt, outcome: Promise<SignInOutcome>): void {
    outcome.then(
      (result) => {
        if (result.ok) this.accept(ctx, attempt, result);
        else ctx.reject(METHODS);
      },
      () => ctx.reject(METHODS),
    );
  }

  private accept(ctx: AuthContext, attempt: LoginAttempt, outcome: SignInOutcome & { ok: true }): void {
    this.login = { username: attempt.username, site: attempt.site, signedIn: outcome.signedIn };
    ctx.accept();
  }

  /** Shows one line through keyboard-interactive's instruction field (a round with no questions). */
  private tell(ctx: KeyboardAuthContext, message: string, then: () => void): void {
    ctx.prompt([], '', message, () => then());
  }
}
