import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
/** Debian's CLI speaks the engine's API version (scripts/setup-images.sh). */
const DOCKER_CLI = '/usr/bin/docker';

/** What a command run in a container printed, and how it ended. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A local image with `psql` and `mariadb` on setup's Debian base, for tests that attack database
 * servers from inside a site container. Built once per machine (the tag follows the Dockerfile) and
 * kept: about a minute the first time, nothing afterwards.
 */
export async function databaseClientsImage(): Promise<string> {
  const dockerfile = [
    'FROM dais/debian:bookworm',
    'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-client mariadb-client \\',
    ' && rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
  const tag = `dais-test/db-clients:${createHash('sha256').update(dockerfile).digest('hex').slice(0, 12)}`;
  const exists = await docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!exists) await dockerBuild(tag, dockerfile);
  return tag;
}

function dockerBuild(tag: string, dockerfile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const build = spawn(DOCKER_CLI, ['build', '--quiet', '--tag', tag, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    build.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    build.once('error', reject);
    build.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker build of ${tag} failed (${code}): ${errors.slice(-2000)}`)),
    );
    build.stdin.end(dockerfile);
  });
}

/** The running container of a site of the stack whose names start with `prefix`. */
export async function siteContainer(prefix: string, siteId: number): Promise<Docker.Container> {
  const [found] = await docker.listContainers({ filters: { label: [`dais.managed-by=${prefix}`, `dais.site-id=${siteId}`] } });
  if (!found) throw new Error(`no running container for site ${siteId}`);
  return docker.getContainer(found.Id);
}

/**
 * Runs a shell script in a site's container as the site does: its user, its environment (the
 * container's `DATABASE_URL`, `DB_*`), no TTY. `args` are the script's `$1`, `$2`… (never spliced in).
 */
export async function execInSite(container: Docker.Container, script: string, args: readonly string[] = []): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: ['sh', '-c', script, 'sh', ...args], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
