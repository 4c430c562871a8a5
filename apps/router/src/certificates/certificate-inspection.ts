import { createPrivateKey, X509Certificate } from 'node:crypto';

/** What a certificate and key pair proves, once checked. */
export interface CertificateFacts {
  /** DNS names the certificate covers (its subjectAltName), sorted. */
  hostnames: string[];
  notBefore: Date;
  notAfter: Date;
  serialNumber: string;
}

/** The outcome of {@link inspectCertificatePair}: the facts, or why the pair cannot be served. */
export type Inspection = { ok: true; facts: CertificateFacts } | { ok: false; problem: string };

/**
 * Checks a private key and a full chain as nginx would need them: both parse, the key belongs to
 * the leaf certificate, and the leaf names at least one host. Never throws: a corrupt file must
 * become a status, not a crash, and must never reach nginx (which would refuse its whole config).
 */
export function inspectCertificatePair(keyPem: string, fullchainPem: string): Inspection {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(fullchainPem);
  } catch {
    return { ok: false, problem: 'the certificate file is not a readable PEM certificate' };
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) return { ok: false, problem: 'the private key does not match the certificate' };
  } catch {
    return { ok: false, problem: 'the private key file is not a readable PEM key' };
  }
  const hostnames = dnsNames(leaf.subjectAltName);
  if (hostnames.length === 0) return { ok: false, problem: 'the certificate names no DNS hostname' };
  return {
    ok: true,
    facts: { hostnames, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), serialNumber: leaf.serialNumber },
  };
}

/** `DNS:a.example, DNS:b.example, IP Address:…` → the DNS names, lowercase and sorted. */
function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase())
    .sort();
}
