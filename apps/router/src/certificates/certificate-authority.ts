import { DaisError } from '@dais/shared';

/** A freshly issued certificate: its private key and the full chain, PEM. */
export interface IssuedCertificate {
  keyPem: string;
  fullchainPem: string;
}

/** Whoever signs certificates for the router (an ACME server, through its adapter; a fake in unit tests). */
export interface CertificateAuthority {
  /** Orders one certificate covering every hostname, proving each over HTTP-01. */
  issue(hostnames: readonly string[]): Promise<IssuedCertificate>;
}

/**
 * The ACME server refused or failed an order. `failedHostnames` names those whose validation
 * the server rejected (they count against its failed-validation limit); empty when the failure
 * was not a validation (network, rate limit, bad request).
 */
export class AcmeOrderError extends DaisError {
  constructor(
    reason: string,
    readonly failedHostnames: readonly string[],
    options?: { cause?: unknown },
  ) {
    super('ACME_FAILED', reason, { failedHostnames: [...failedHostnames] }, options);
  }
}
