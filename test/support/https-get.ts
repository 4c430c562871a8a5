import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

/** An HTTPS answer, and the serial number of the certificate the server presented. */
export interface TlsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  serial: string;
}

/** GET over HTTPS to 127.0.0.1:port as `hostname` (SNI and Host), trusting only `ca`. */
export function httpsGet(port: number, hostname: string, ca: string, path = '/'): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: hostname, headers: { host: hostname }, ca, agent: false, timeout: 10_000 },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serial }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET https://${hostname}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
