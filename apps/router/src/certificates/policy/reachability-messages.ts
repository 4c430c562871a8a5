import { DaisError } from '@dais/shared';
import type { ChallengeAnswer } from './challenge-fetch';

/** Why a hostname failed the pre-flight, as machine-readable `details.reason`. */
export type UnreachableReason = 'no-address' | 'dns-failed' | 'private-address' | 'other-server' | 'refused' | 'timeout' | 'unreachable';

/** What the messages need to know about this router. */
export interface MessageContext {
  hostname: string;
  /** What owners point a CNAME at; null when the admin has not configured it. */
  publicHostname: string | null;
  port: number;
}

/**
 * Builds the DOMAIN_UNREACHABLE errors of the pre-flight. Every message names the hostname, what
 * was found, and the one thing the owner can change at their DNS provider or firewall.
 */
export class UnreachableErrors {
  constructor(private readonly context: MessageContext) {}

  noAddress(): DaisError {
    return this.error('no-address', `${this.context.hostname} has no A or AAAA record: ${this.pointAt()}.`);
  }

  dnsFailed(reason: string): DaisError {
    return this.error(
      'dns-failed',
      `The DNS lookup of ${this.context.hostname} failed (${reason}): check that the domain's nameservers are working, then try again.`,
    );
  }

  privateAddress(address: string): DaisError {
    return this.error(
      'private-address',
      `${this.context.hostname} resolves to ${address}, a private address the certificate authority cannot reach: ${this.pointAt()}.`,
      { address },
    );
  }

  /** The first failure among the addresses tried; `answer` is not a success. */
  fromAnswer(address: string, answer: ChallengeAnswer): DaisError {
    const { hostname, port } = this.context;
    const at = `${hostname} resolves to ${address}`;
    switch (answer.kind) {
      case 'answered': {
        const said =
          answer.status >= 300 && answer.status < 400 && answer.location
            ? `redirected to ${answer.location}`
            : `answered HTTP ${answer.status}`;
        return this.error(
          'other-server',
          `${at}, but that server is not this router (it ${said} instead of the check token): ${this.pointAt()}.`,
          { address, status: answer.status },
        );
      }
      case 'refused':
        return this.error(
          'refused',
          `${at}, which refused connections on port ${port}: if that address is this router, open port ${port} in its firewall; otherwise ${this.pointAt()}.`,
          { address },
        );
      case 'timeout':
        return this.error(
          'timeout',
          `${at}, which did not answer on port ${port} in time: a firewall may be dropping the traffic; if that address is not this router, ${this.pointAt()}.`,
          { address },
        );
      case 'unreachable':
        return this.error('unreachable', `${at}, which cannot be reached from here (${answer.code}): ${this.pointAt()}.`, { address });
    }
  }

  private pointAt(): string {
    const target = this.context.publicHostname;
    return target
      ? `point a CNAME at ${target} or an A record at its address`
      : "point a CNAME at this router's hostname or an A record at its address";
  }

  private error(reason: UnreachableReason, message: string, extra: Record<string, unknown> = {}): DaisError {
    return new DaisError('DOMAIN_UNREACHABLE', message, { hostname: this.context.hostname, reason, ...extra });
  }
}
