import type { KeyObject } from 'node:crypto';
import {
  PeerClient,
  shellAuthResultSchema,
  shellSessionEventSchema,
  type OutboundTls,
  type ShellAuthResult,
  type ShellKeyProof,
} from '@dais/shared';
import { z } from 'zod';

/** A session event for the audit log, as `POST /shell-server/sessions` takes it. */
export type ShellSessionEvent = z.input<typeof shellSessionEventSchema>;

/** Who is signing in, as the shell saw it. */
export interface LoginAttempt {
  username: string;
  site?: string | undefined;
  remoteAddress: string | null;
}

/** Settings for {@link ManagerClient}. */
export interface ManagerClientOptions {
  baseUrl: string;
  privateKey: KeyObject;
  tls: OutboundTls;
  timeoutMs: number;
}

/**
 * The shell's only way to the manager: signed `POST /shell-server/…` calls over HTTP or HTTPS (with
 * the shell's client certificate when configured, so the load balancer can tell it is the shell).
 */
export class ManagerClient {
  private readonly http: PeerClient;

  constructor(options: ManagerClientOptions) {
    this.http = new PeerClient({ ...options, callerId: 'shell', audience: 'manager', name: 'the manager' });
  }

  /** Checks a password; answers the user's sites with their single-use tokens. */
  signInWithPassword(login: LoginAttempt, password: string): Promise<ShellAuthResult> {
    const body = { ...login, password };
    return this.http.call({ method: 'POST', path: '/shell-server/auth/password', body, response: shellAuthResultSchema });
  }

  /** Hands the client's key proof to the manager, which verifies it and says whose key it is. */
  signInWithPublicKey(login: LoginAttempt, proof: ShellKeyProof): Promise<ShellAuthResult> {
    const body = { ...login, ...proof };
    return this.http.call({ method: 'POST', path: '/shell-server/auth/public-key', body, response: shellAuthResultSchema });
  }

  /** Records a session start or end in the audit log (the answer carries nothing the shell needs). */
  async recordSession(event: ShellSessionEvent): Promise<void> {
    const body = shellSessionEventSchema.parse(event);
    await this.http.call({ method: 'POST', path: '/shell-server/sessions', body, response: z.unknown() });
  }

  /** Closes pooled connections. */
  close(): void {
    this.http.close();
  }
}
