import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load-config';

/** The TLS material a component presents and trusts on its outbound https/wss connections (all optional). */
export interface OutboundTls {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

/** PEM files named in config, each with the config key that named it (for error messages). */
export interface OutboundTlsFiles {
  clientCert?: { key: string; path: string | undefined };
  clientKey?: { key: string; path: string | undefined };
  caCert?: { key: string; path: string | undefined };
}

/**
 * Reads a client certificate, its key and a CA to trust, once at startup. Load balancers in
 * front of the manager and orchestrators recognise callers by this certificate
 * (docs/load-balancers.md); a certificate without its key (or the reverse) is a configuration
 * mistake, refused here with the keys named.
 */
export function loadOutboundTls(files: OutboundTlsFiles): OutboundTls {
  const { clientCert, clientKey, caCert } = files;
  if ((clientCert?.path === undefined) !== (clientKey?.path === undefined)) {
    throw new ConfigError([`${clientCert?.key ?? 'the client certificate'} and ${clientKey?.key ?? 'its key'} must be set together`]);
  }
  const problems: string[] = [];
  const read = (file: { key: string; path: string | undefined } | undefined): Buffer | undefined => {
    if (file?.path === undefined) return undefined;
    try {
      return readFileSync(file.path);
    } catch (error) {
      problems.push(`${file.key}: cannot read ${file.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const tls: OutboundTls = {};
  const cert = read(clientCert);
  const key = read(clientKey);
  const ca = read(caCert);
  if (problems.length > 0) throw new ConfigError(problems);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (ca) tls.ca = ca;
  return tls;
}
