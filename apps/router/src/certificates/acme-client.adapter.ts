import { Agent } from 'node:https';
import * as acme from 'acme-client';
import { z } from 'zod';
import type { ChallengeStore } from './certificate-ports';
import { AcmeOrderError, type CertificateAuthority, type IssuedCertificate } from './certificate-authority';

/** How to reach the ACME server and as whom. */
export interface AcmeClientOptions {
  directoryUrl: string;
  accountKeyPem: string;
  email: string | undefined;
  /** Extra CA (PEM) to trust for the ACME server's own TLS (Pebble); undefined: the system's. */
  caPem: string | undefined;
  challenges: ChallengeStore;
}

/** A stalled ACME server must not stall the order queue forever. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The only importer of acme-client. Runs the RFC 8555 flow step by step (order, HTTP-01 per
 * authorization through the {@link ChallengeStore}, finalize, download) rather than `auto()`,
 * so a failure names the hostname whose validation failed. The account is registered on the
 * first order (re-registering the same key returns the same account).
 */
export class AcmeClientAdapter implements CertificateAuthority {
  private readonly client: acme.Client;
  private registered = false;

  constructor(private readonly options: AcmeClientOptions) {
    acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
    if (options.caPem !== undefined) acme.axios.defaults.httpsAgent = new Agent({ ca: options.caPem });
    this.client = new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: options.accountKeyPem,
      backoffAttempts: 10,
      backoffMin: 500,
      backoffMax: 10_000,
    });
  }

  async issue(hostnames: readonly string[]): Promise<IssuedCertificate> {
    try {
      await this.register();
      const order = await this.client.createOrder({ identifiers: hostnames.map((value) => ({ type: 'dns', value })) });
      for (const authorization of await this.client.getAuthorizations(order)) await this.prove(authorization);
      const keyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
      const [, csr] = await acme.crypto.createCsr(certificateRequestNames(hostnames), keyPem);
      const finalized = await this.client.finalizeOrder(order, csr);
      const fullchainPem = await this.client.getCertificate(finalized);
      return { keyPem, fullchainPem };
    } catch (error) {
      if (error instanceof AcmeOrderError) throw error;
      throw new AcmeOrderError(`The ACME server refused the order: ${reasonOf(error)}`, [], { cause: error });
    }
  }

  private async register(): Promise<void> {
    if (this.registered) return;
    const contact = this.options.email === undefined ? {} : { contact: [`mailto:${this.options.email}`] };
    await this.client.createAccount({ termsOfServiceAgreed: true, ...contact });
    this.registered = true;
  }

  /** Answers one authorization's HTTP-01 challenge and waits for the server's verdict. */
  private async prove(authorization: acme.Authorization): Promise<void> {
    const hostname = authorization.identifier.value;
    if (authorization.status === 'valid') return;
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01');
    if (!challenge) throw new AcmeOrderError(`The ACME server offers no HTTP-01 challenge for ${hostname}.`, []);
    const keyAuthorization = await this.client.getChallengeKeyAuthorization(challenge);
    await this.options.challenges.put(challenge.token, keyAuthorization);
    try {
      await this.client.completeChallenge(challenge);
      await this.client.waitForValidStatus(authorization);
    } catch (error) {
      throw new AcmeOrderError(`Validation of ${hostname} failed: ${validationProblem(error)}`, [hostname], { cause: error });
    } finally {
      await this.options.challenges.remove(challenge.token);
    }
  }
}

/**
 * The names a certificate request carries: all of them as subject alternative names, and as
 * common name the first one X.509 allows there (at most 64 characters; Let's Encrypt refuses a
 * longer one). A site whose names are all longer gets no common name, which ACME servers accept.
 */
export function certificateRequestNames(hostnames: readonly string[]): { commonName?: string; altNames: string[] } {
  const commonName = hostnames.find((hostname) => hostname.length <= 64);
  return { ...(commonName === undefined ? {} : { commonName }), altNames: [...hostnames] };
}

/** An invalid authorization as acme-client reports it: the whole object, JSON, in the message. */
const invalidAuthorization = z.object({
  challenges: z.array(z.object({ error: z.object({ detail: z.string() }).optional() })),
});

/** The ACME server's `detail` for a failed challenge (e.g. "connection refused"), else the message. */
function validationProblem(error: unknown): string {
  try {
    const parsed = invalidAuthorization.safeParse(JSON.parse(error instanceof Error ? error.message : ''));
    const detail = parsed.success ? parsed.data.challenges.find((challenge) => challenge.error)?.error?.detail : undefined;
    if (detail) return reasonOf(new Error(detail));
  } catch {
    // Not JSON: the message is already the server's words.
  }
  return reasonOf(error);
}

/** The ACME server's own words (acme-client puts the problem `detail` in the message), bounded. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').slice(0, 300);
}
