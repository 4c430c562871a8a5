import type { KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  DaisError,
  errorBodySchema,
  isErrorCode,
  shellAuthResultSchema,
  signRequest,
  shellSessionEventSchema,
  type ShellAuthResult,
  type ShellKeyProof,
  type OutboundTls,
} from '@dais/shared';
import type { z } from 'zod';

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
  private readonly url: URL;
  private readonly agent: HttpsAgent | undefined;

  constructor(private readonly options: ManagerClientOptions) {
    this.url = new URL(options.baseUrl);
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ ...options.tls, keepAlive: true }) : undefined;
  }

  /** Checks a password; answers the user's sites with their single-use tokens. */
  async signInWithPassword(login: LoginAttempt, password: string): Promise<ShellAuthResult> {
    return shellAuthResultSchema.parse(await this.post('/shell-server/auth/password', { ...login, password }));
  }

  /** Hands the client's key proof to the manager, which verifies it and says whose key it is. */
  async signInWithPublicKey(login: LoginAttempt, proof: ShellKeyProof): Promise<ShellAuthResult> {
    return shellAuthResultSchema.parse(await this.post('/shell-server/auth/public-key', { ...login, ...proof }));
  }

  /** Records a session start or end in the audit log. */
  async recordSession(event: ShellSessionEvent): Promise<void> {
    await this.post('/shell-server/sessions', shellSessionEventSchema.parse(event));
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent?.destroy();
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    const fullPath = this.url.pathname.replace(/\/$/, '') + path;
    const headers = {
      ...signRequest(
        { callerId: 'shell', privateKey: this.options.privateKey },
        { audience: 'manager', method: 'POST', path: fullPath, body: payload },
      ),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    };
    const response = await this.send(fullPath, headers, payload);
    const json = safeJson(response.text);
    if (response.status >= 200 && response.status < 300) return json;
    const parsed = errorBodySchema.safeParse(json);
    if (parsed.success && isErrorCode(parsed.data.error.code) && parsed.data.error.code !== 'INTERNAL') {
      throw new DaisError(parsed.data.error.code, parsed.data.error.message);
    }
    // A load balancer's refusal (or any other non-Dais answer) is named, so an admin can tell which layer said no.
    const said = parsed.success ? `: ${parsed.data.error.code} ${parsed.data.error.message.slice(0, 200).replace(/\.$/, '')}` : '';
    throw new DaisError('PEER_ERROR', `The manager answered HTTP ${response.status} to ${path}${said}.`);
  }

  private send(path: string, headers: Record<string, string>, payload: string): Promise<{ status: number; text: string }> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          headers,
          agent: this.agent,
          timeout: this.options.timeoutMs,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          new DaisError('PEER_UNAVAILABLE', `Could not reach the manager: ${error.code ?? error.message}.`, undefined, { cause: error }),
        );
      });
      req.end(payload);
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
