import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports';
import { tempDir } from './temp-dir';

/** A private BIND 9 nameserver, authoritative for every name (the root zone), whose records a test changes. */
export interface BindDns {
  /** `127.0.0.1:<port>`, for DAIS_DOMAIN_DNS_SERVERS. */
  server: string;
  /** Replaces the TXT records at `name` with one record per value (a value longer than 255 bytes is split into strings). */
  publishTxt(name: string, values: string[]): Promise<void>;
  /** Makes `name` an alias (CNAME) of `target`. */
  addCname(name: string, target: string): Promise<void>;
  /** Removes every record at `name`. */
  remove(name: string): Promise<void>;
  /** Stops answering (SIGSTOP): queries go unanswered, like a dead or firewalled nameserver; `thaw` resumes. */
  freeze(): void;
  thaw(): void;
  /** What named logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

const KEY_NAME = 'dais-test';

/**
 * Starts `named` (Debian's bind9, installed by setup) on a free port of 127.0.0.1 with a root
 * zone that accepts RFC 2136 updates signed by a throw-away TSIG key; records are changed with
 * `nsupdate`, as a DNS provider's API would. Retries on another port if the chosen one was taken.
 */
export async function startBindDns(): Promise<BindDns> {
  const dir = await tempDir('bind');
  const keyFile = join(dir.path, 'key.conf');
  // A fixed-format key made here (tsig-keygen's output), so no extra process is needed.
  const secret = randomBytes(32).toString('base64');
  await writeFile(keyFile, `key "${KEY_NAME}" {\n  algorithm hmac-sha256;\n  secret "${secret}";\n};\n`);
  await writeFile(
    join(dir.path, 'root.zone'),
    '$TTL 1\n@ IN SOA ns.dais-test. hostmaster.dais-test. 1 60 60 3600 1\n@ IN NS ns.dais-test.\nns.dais-test. IN A 127.0.0.1\n',
  );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await launch(dir.path, keyFile, port);
    if (started.ok) return handle(started.child, dir, keyFile, port);
    if (attempt === 3) {
      await dir.remove();
      throw new Error(`named did not start:\n${started.output}`);
    }
  }
}

async function launch(
  dir: string,
  keyFile: string,
  port: number,
): Promise<{ ok: true; child: ChildProcess } | { ok: false; output: string }> {
  const conf = join(dir, 'named.conf');
  await writeFile(
    conf,
    `include "${keyFile}";
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  max-journal-size 10m;
};
controls { };
zone "." { type primary; file "${dir}/root.zone"; update-policy { grant ${KEY_NAME} subdomain . ANY; }; };
`,
  );
  const child = spawn('named', ['-g', '-4', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = join(dir, 'named.log');
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    void writeFile(logFile, output);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { ok: false, output };
    const up = await resolver.resolveSoa('.').then(
      () => true,
      () => false,
    );
    if (up) return { ok: true, child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  return { ok: false, output: `${output}\n(no answer within 15 s)` };
}

function handle(child: ChildProcess, dir: { path: string; remove(): Promise<void> }, keyFile: string, port: number): BindDns {
  const update = async (lines: string[]): Promise<void> => {
    // One DNS message holds at most 64 KB: big changes go as several updates in one session.
    const script = [`server 127.0.0.1 ${port}`, 'zone .'];
    let size = 0;
    for (const line of lines) {
      if (size > 30_000) {
        script.push('send');
        size = 0;
      }
      script.push(line);
      size += line.length;
    }
    script.push('send', '');
    const nsupdate = spawn('nsupdate', ['-k', keyFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    nsupdate.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    nsupdate.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    nsupdate.stdin.end(script.join('\n'));
    const code = await new Promise<number | null>((resolve) => nsupdate.once('exit', resolve));
    if (code !== 0) throw new Error(`nsupdate failed (${code}): ${output}\n${script.join('\n').slice(0, 2_000)}`);
  };
  const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);
  const txtData = (value: string) =>
    (value.match(/[\s\S]{1,255}/g) ?? ['']).map((part) => `"${part.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
  return {
    server: `127.0.0.1:${port}`,
    async publishTxt(name, values) {
      await update([`update delete ${fqdn(name)} TXT`, ...values.map((value) => `update add ${fqdn(name)} 1 TXT ${txtData(value)}`)]);
    },
    addCname: (name, target) => update([`update delete ${fqdn(name)}`, `update add ${fqdn(name)} 1 CNAME ${fqdn(target)}`]),
    remove: (name) => update([`update delete ${fqdn(name)}`]),
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    log: () => {
      try {
        return readFileSync(join(dir.path, 'named.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await exited;
      }
      await dir.remove();
    },
  };
}
