import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed EC certificate for `hostnames`, valid for `days`, made by openssl (for unit specs). */
export function selfSignedCertificate(hostnames: readonly string[], days = 90): { keyPem: string; fullchainPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dais-self-signed-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const san = `subjectAltName=${hostnames.map((hostname) => `DNS:${hostname}`).join(',')}`;
    const subject = `/CN=${hostnames[0] ?? 'unnamed'}`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        subject,
        '-addext',
        san,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { keyPem: readFileSync(key, 'utf8'), fullchainPem: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
