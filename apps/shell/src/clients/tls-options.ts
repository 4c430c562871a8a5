import { readFileSync } from 'node:fs';
import { ConfigError } from '@dais/shared';
import type { ShellTlsFiles } from '../config/shell.config';

/** The TLS material the shell presents and trusts on its outbound connections (all optional). */
export interface OutboundTls {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

/**
 * Reads the client certificate, its key and the internal CA named in config, once at startup.
 * The load balancers in front of manager and orchestrator recognise the shell by this certificate;
 * a certificate without its key (or the reverse) is a configuration mistake, refused here.
 */
export function loadOutboundTls(files: ShellTlsFiles): OutboundTls {
  if ((files.clientCert === undefined) !== (files.clientKey === undefined)) {
    throw new ConfigError(['DAIS_SHELL_CLIENT_CERT and DAIS_SHELL_CLIENT_KEY must be set together']);
  }
  const tls: OutboundTls = {};
  const problems: string[] = [];
  const read = (key: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(`${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const cert = read('DAIS_SHELL_CLIENT_CERT', files.clientCert);
  const key = read('DAIS_SHELL_CLIENT_KEY', files.clientKey);
  const ca = read('DAIS_SHELL_CA_CERT', files.caCert);
  if (problems.length > 0) throw new ConfigError(problems);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (ca) tls.ca = ca;
  return tls;
}
