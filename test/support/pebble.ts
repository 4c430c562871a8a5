import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './ports';
import { tempDir } from './temp-dir';

const run = promisify(execFile);

/** A running Pebble (Let's Encrypt's test ACME server) with its challenge test server as DNS. */
export interface Pebble {
  /** ACME directory URL (HTTPS, signed by {@link tlsCaFile}). */
  directoryUrl: string;
  /** challtestsrv's DNS server (`127.0.0.1:port`), the resolver Pebble uses: point a pre-flight at it too. */
  dnsServer: string;
  /** PEM file of the throw-away CA that signed Pebble's own HTTPS certificate (DAIS_ACME_CA_CERT). */
  tlsCaFile: string;
  /** Pebble's issuing root, PEM: verifies the certificates it issues. Regenerated at every launch. */
  issuingRoot(): Promise<string>;
  /** Makes challtestsrv's DNS answer `address` for `hostname` (e.g. an address the router does not listen on). */
  setAddress(hostname: string, address: string): Promise<void>;
  /** What both processes logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Options for {@link startPebble}. */
export interface PebbleOptions {
  /** Where Pebble connects for HTTP-01 (the router's edge HTTP port). */
  httpPort: number;
  /** Lifetime of issued certificates, in days (Let's Encrypt: 90). */
  validityDays?: number;
}

/**
 * Starts pebble-challtestsrv (DNS answering 127.0.0.1 for every name) and pebble on free ports,
 * with a CA and HTTPS certificate made by openssl in a temp folder. Pebble validates HTTP-01 at
 * `<name>:<httpPort>`, so the router's nginx is what answers.
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = await tempDir('pebble');
  const [acmePort, managementPort, dnsPort, challengeManagementPort] = await freePorts(4);
  const tls = await makeTlsCertificate(dir.path);
  const configFile = join(dir.path, 'pebble-config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.certFile,
        privateKey: tls.keyFile,
        httpPort: options.httpPort,
        tlsPort: 0,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: (options.validityDays ?? 90) * 24 * 60 * 60,
      },
    }),
  );
  const logFile = join(dir.path, 'pebble.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const children: ChildProcess[] = [];
  const launch = (command: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(command, args, { cwd: dir.path, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(logStream, { end: false });
    child.stderr.pipe(logStream, { end: false });
    children.push(child);
  };
  launch('pebble-challtestsrv', [
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
    '-dns01',
    `127.0.0.1:${dnsPort}`,
    '-management',
    `127.0.0.1:${challengeManagementPort}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
  ]);
  launch('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict=false'], {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
    PEBBLE_AUTHZREUSE: '0',
  });
  const ca = readFileSync(tls.caFile, 'utf8');
  const agent = new Agent({ ca });
  const management = `https://127.0.0.1:${managementPort}`;
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const log = () => readFileSyncSafe(logFile);
  await waitFor(() => httpsGet(directoryUrl, agent).then((answer) => answer.status === 200), `pebble did not start:\n${log()}`);
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${challengeManagementPort}/`).then(
        () => true,
        () => false,
      ),
    `pebble-challtestsrv did not start:\n${log()}`,
  );
  return {
    directoryUrl,
    dnsServer: `127.0.0.1:${dnsPort}`,
    tlsCaFile: tls.caFile,
    async issuingRoot() {
      const answer = await httpsGet(`${management}/roots/0`, agent);
      if (answer.status !== 200) throw new Error(`pebble /roots/0 answered ${answer.status}`);
      return answer.body;
    },
    async setAddress(hostname, address) {
      const answer = await fetch(`http://127.0.0.1:${challengeManagementPort}/add-a`, {
        method: 'POST',
        body: JSON.stringify({ host: hostname, addresses: [address] }),
      });
      if (!answer.ok) throw new Error(`challtestsrv /add-a answered ${answer.status}`);
    },
    log,
    async stop() {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      logStream.end();
      await dir.remove();
    },
  };
}

/** A throw-away CA and a certificate for 127.0.0.1/localhost it signed, made with openssl. */
async function makeTlsCertificate(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Dais test Pebble CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('pebble.key'),
    '-out',
    file('pebble.csr'),
  );
  await writeFile(file('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    file('pebble.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('pebble.pem'),
  );
  return { caFile: file('ca.pem'), certFile: file('pebble.pem'), keyFile: file('pebble.key') };
}

function httpsGet(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .on('timeout', function (this: { destroy(error: Error): void }) {
        this.destroy(new Error(`GET ${url} timed out`));
      })
      .end();
  });
}

async function waitFor(check: () => Promise<boolean>, failure: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(failure);
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The router settings that turn certificates on against this Pebble: its directory and TLS CA, and
 * the pre-flight asking Pebble's DNS and connecting where Pebble will (loopback, so private
 * addresses are allowed). For TestStack's `prepare`, once the edge port is known.
 */
export function routerEnvFor(pebble: Pebble, edgePort: number): Record<string, string> {
  return {
    DAIS_ACME_ENABLED: 'true',
    DAIS_ACME_DIRECTORY_URL: pebble.directoryUrl,
    DAIS_ACME_CA_CERT: pebble.tlsCaFile,
    DAIS_ACME_PREFLIGHT_DNS: pebble.dnsServer,
    DAIS_ACME_PREFLIGHT_PRIVATE_ADDRESSES: 'true',
    DAIS_ACME_HTTP_PORT: String(edgePort),
  };
}
