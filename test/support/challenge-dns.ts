import { spawn } from 'node:child_process';
import { freePorts } from './ports';

/** A running pebble-challtestsrv used as a DNS server whose records a test sets. */
export interface ChallengeDns {
  /** `127.0.0.1:<port>`, for DAIS_ACME_PREFLIGHT_DNS. */
  server: string;
  addA(host: string, addresses: string[]): Promise<void>;
  addAaaa(host: string, addresses: string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts pebble-challtestsrv with only its DNS server on (no default addresses: a name without a
 * record added by the test has none) and its management API on another free port.
 */
export async function startChallengeDns(): Promise<ChallengeDns> {
  const [dnsPort, managementPort] = (await freePorts(2)) as [number, number];
  const child = spawn(
    'pebble-challtestsrv',
    [
      ...['-defaultIPv4', '', '-defaultIPv6', ''],
      ...['-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${managementPort}`],
      ...['-http01', '', '-https01', '', '-tlsalpn01', ''],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const management = `http://127.0.0.1:${managementPort}`;

  const deadline = Date.now() + 15_000;
  for (;;) {
    // The management API starts after the DNS server, so once it answers both are up.
    const up = await fetch(`${management}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`pebble-challtestsrv did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const add = async (kind: 'add-a' | 'add-aaaa', host: string, addresses: string[]): Promise<void> => {
    const response = await fetch(`${management}/${kind}`, { method: 'POST', body: JSON.stringify({ host: `${host}.`, addresses }) });
    if (!response.ok) throw new Error(`challtestsrv ${kind} ${host}: HTTP ${response.status}`);
  };
  return {
    server: `127.0.0.1:${dnsPort}`,
    addA: (host, addresses) => add('add-a', host, addresses),
    addAaaa: (host, addresses) => add('add-aaaa', host, addresses),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
