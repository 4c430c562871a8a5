import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NginxInstance } from '@dais/nginx';
import { parseBalancerConfig } from '../../nginx/lb/balancer-config';
import { renderBalancerConfig } from '../../nginx/lb/balancer.render';
import { REPO_ROOT } from './dev-env';
import { tempDir } from './temp-dir';

const run = promisify(execFile);

/** The files `scripts/setup-internal-ca.mjs` writes into `<state>/tls/`, read for a test client. */
export interface InternalCa {
  dir: string;
  ca: Buffer;
  client(name: 'shell' | 'manager'): { cert: Buffer; key: Buffer };
}

/** Runs the setup script on a state folder and reads what it made. */
export async function setupInternalCa(stateDir: string): Promise<InternalCa & { output: string }> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts/setup-internal-ca.mjs'), '--state', stateDir]);
  const dir = join(stateDir, 'tls');
  return {
    dir,
    output: stdout,
    ca: readFileSync(join(dir, 'ca.crt')),
    client: (name) => ({ cert: readFileSync(join(dir, `${name}.crt`)), key: readFileSync(join(dir, `${name}.key`)) }),
  };
}

/** A client certificate for `CN=dais-shell` from this CA that expired yesterday (`openssl x509 -days -1`). */
export async function issueExpiredShellCertificate(ca: InternalCa, dir: string): Promise<{ cert: Buffer; key: Buffer }> {
  const [key, csr, cert] = ['expired.key', 'expired.csr', 'expired.crt'].map((name) => join(dir, name)) as [string, string, string];
  await run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    '/O=Dais/CN=dais-shell',
  ]);
  const caFiles = ['-CA', join(ca.dir, 'ca.crt'), '-CAkey', join(ca.dir, 'ca.key')];
  await run('openssl', ['x509', '-req', '-in', csr, ...caFiles, '-set_serial', '7', '-days', '-1', '-out', cert]);
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** A private nginx running a rendered balancer description (logs under `prefix`); `stop` also removes its folder. */
export async function startBalancer(
  label: string,
  description: Record<string, unknown>,
): Promise<{ stop(): Promise<void>; config: string; prefix: string }> {
  const dir = await tempDir(`lb-${label}`);
  const config = renderBalancerConfig(parseBalancerConfig({ ...description, prefix: dir.path }));
  const confFile = join(dir.path, 'nginx.conf');
  await writeFile(confFile, config);
  const nginx = new NginxInstance({ prefix: dir.path, liveConfFile: confFile });
  await nginx.test(confFile);
  await nginx.start();
  return {
    config,
    prefix: dir.path,
    async stop() {
      await nginx.stop();
      await dir.remove();
    },
  };
}

/** One request exactly as a test wants it on the wire: the path is sent as given, never normalised. */
export interface RawRequest {
  port: number;
  method: string;
  /** The request target, sent byte for byte (`/api/../x`, `%2e%2e`, absolute form…). */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Ask for a websocket upgrade. */
  upgrade?: boolean;
  /** Speak TLS, trusting `ca`, presenting `cert`/`key` if given. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** Source address (any 127.x.y.z works on loopback): how the source-address fallback tells callers apart. */
  localAddress?: string;
}

/** What came back: for an upgrade, 101 and the response headers. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends one request on a fresh connection (a client certificate belongs to the connection). */
export function rawRequest(input: RawRequest): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...input.headers };
  if (input.upgrade) {
    Object.assign(headers, {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
    });
  }
  if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
  const options: RequestOptions = {
    host: '127.0.0.1',
    port: input.port,
    method: input.method,
    path: input.path,
    headers,
    agent: false,
    timeout: 30_000,
    ...(input.localAddress ? { localAddress: input.localAddress } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = input.tls
      ? httpsRequest({ ...options, ca: input.tls.ca, cert: input.tls.cert, key: input.tls.key, rejectUnauthorized: true })
      : httpRequest(options);
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${input.method} ${input.path} timed out`)));
    request.on('error', reject);
    request.end(input.body);
  });
}

/** The `error.code` of a JSON error body, or null. */
export function errorCodeOf(answer: RawAnswer): string | null {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown } } | null;
    return typeof parsed?.error?.code === 'string' ? parsed.error.code : null;
  } catch {
    return null;
  }
}
