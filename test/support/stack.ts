import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { loadOwnPrivateKey, serviceRuntime, type SiteView } from '@dais/shared';
import { newSecretsKey, writeKeyring } from '../../apps/manager/src/infrastructure/secrets/secrets-keyring';
import { createTestDatabase, type TestDatabase } from './database';
import { dropDatabasesWithPrefix } from './database-hosts';
import { devEnv, REPO_ROOT } from './dev-env';
import { getWithHost, type PlainResponse } from './http';
import { writeComponentKeys } from './keys';
import { freePorts } from './ports';
import type { TestSigner } from './signed-fetch';
import { scopedPrefix } from './run-scope';
import { tempDir } from './temp-dir';

const run = promisify(execFile);

/** The processes a stack can run; the manager may run as one process or as API + worker. */
export type StackProcess = 'orchestrator' | 'router' | 'manager' | 'manager-api' | 'manager-worker' | 'shell';

const ENTRY: Record<StackProcess, string> = {
  orchestrator: 'apps/orchestrator/dist/main.js',
  router: 'apps/router/dist/main.js',
  manager: 'apps/manager/dist/main.js',
  'manager-api': 'apps/manager/dist/main.js',
  'manager-worker': 'apps/manager/dist/main.js',
  shell: 'apps/shell/dist/main.js',
};

/** How to shape a stack. */
export interface StackOptions {
  /** Run the manager's API and worker as two processes (to restart the worker alone). */
  separateWorker?: boolean;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Also run the SSH shell (with host keys made the way setup makes them), on `ports.shell`. */
  shell?: boolean;
  /**
   * Runs once the state folder and ports exist, before any process starts (to set up certificates
   * or start load balancers in front of the ports); what it returns is added to the environment.
   */
  prepare?: (context: { stateDir: string; ports: TestStack['ports'] }) => Promise<Record<string, string>>;
}

/** An API answer as a test sees it. */
export interface ApiAnswer<T = unknown> {
  status: number;
  json: T;
}

/** Removes the containers and images a stack's orchestrator made (they outlive it by design). */
async function removeDockerResources(prefix: string): Promise<void> {
  if (!prefix) return;
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  for (const container of await docker.listContainers({ all: true, filters: { label: [`dais.managed-by=${prefix}`] } })) {
    await docker
      .getContainer(container.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const image of await docker.listImages({ filters: { reference: [`${prefix}*`] } })) {
    for (const tag of image.RepoTags ?? [])
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
  }
}

/** The same catalogue and local database servers `npm run setup` registers, in the stack's own database. */
async function registerForSites(admin: (...args: string[]) => Promise<unknown>): Promise<void> {
  const secrets = join(devEnv().stateDir, 'secrets');
  await admin('ensure-catalogue', '--file', join(REPO_ROOT, 'apps/manager/catalogue/default-images.json'));
  const common = ['--admin-host', '127.0.0.1', '--admin-user', 'dais_dbadmin', '--site-host', SITES_GATEWAY];
  await admin(
    'ensure-database-host',
    '--name',
    'local-postgresql',
    '--engine',
    'postgresql',
    '--admin-port',
    '5432',
    '--site-port',
    '5432',
    ...common,
    '--admin-password-file',
    join(secrets, 'postgres-dbadmin-password'),
  );
  await admin(
    'ensure-database-host',
    '--name',
    'local-mariadb',
    '--engine',
    'mysql',
    '--admin-port',
    '3306',
    '--site-port',
    '3306',
    ...common,
    '--admin-password-file',
    join(secrets, 'mariadb-dbadmin-password'),
  );
}

/** Where site containers reach this host (setup's sites network gateway). */
export const SITES_GATEWAY = '172.30.0.1';

/**
 * A whole Dais on this machine for one test file: its own database, Redis prefix, ports, folders
 * and keys; real orchestrator, router and manager processes built from `dist/`.
 */
export class TestStack {
  /** Running processes by name (a second copy of one runs under the name it was given). */
  private readonly processes = new Map<string, ChildProcess>();

  private constructor(
    readonly env: Record<string, string>,
    readonly database: TestDatabase,
    readonly stateDir: string,
    readonly ports: { manager: number; orchestrator: number; sites: number; router: number; edge: number; shell: number },
    readonly adminToken: string,
    private readonly cleanupDir: () => Promise<void>,
  ) {}

  /** Boots a stack and waits until every component answers. */
  static async start(label: string, options: StackOptions = {}): Promise<TestStack> {
    const dir = await tempDir(`stack-${label}`);
    let database: TestDatabase | undefined;
    let stack: TestStack | undefined;
    try {
      database = await createTestDatabase(label);
      await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'router', 'shell']);
      // The key that seals secrets in the stack's database, where setup puts it (DAIS_SECRETS_KEY_FILE's default).
      writeKeyring(join(dir.path, 'secrets/secrets.key'), [newSecretsKey()]);
      const [manager, orchestrator, sites, orchestratorStatus, router, edge, routerStatus, shell] = await freePorts(8);
      const stackId = scopedPrefix();
      const env: Record<string, string> = {
        DAIS_STATE_DIR: dir.path,
        DATABASE_URL: database.url,
        REDIS_URL: devEnv().redisUrl,
        DAIS_QUEUE_PREFIX: `test-${label}-${stackId}`,
        DAIS_QUEUE_LOCK_MS: '2000',
        DAIS_OPERATION_BACKOFF_MS: '200',
        DAIS_SWEEP_INTERVAL_MS: '1000',
        DAIS_CERTIFICATE_SYNC_INTERVAL_MS: '1000',
        DAIS_PEER_TIMEOUT_MS: '20000',
        DAIS_MANAGER_PORT: String(manager),
        DAIS_ORCHESTRATOR_PORT: String(orchestrator),
        DAIS_ORCHESTRATOR_SITES_PORT: String(sites),
        DAIS_ORCHESTRATOR_STATUS_PORT: String(orchestratorStatus),
        DAIS_ORCHESTRATOR_URL: `http://127.0.0.1:${orchestrator}`,
        DAIS_ROUTER_PORT: String(router),
        DAIS_ROUTER_HTTP_PORT: String(edge),
        DAIS_ROUTER_STATUS_PORT: String(routerStatus),
        DAIS_ROUTER_URL: `http://127.0.0.1:${router}`,
        DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${sites}`,
        DAIS_SITES_DOMAIN: 'dais.localhost',
        DAIS_SITES_PUBLIC_PORT: String(edge),
        DAIS_ALLOWED_ORIGINS: `http://127.0.0.1:${manager}`,
        DAIS_LOG_LEVEL: 'warn',
        // Containers, services and images of this stack only, so parallel stacks never touch each other's.
        DAIS_SITE_NAME_PREFIX: `${stackId}-`,
        // Site databases live on the shared local servers: a prefix keeps parallel stacks apart.
        DAIS_DATABASE_NAME_PREFIX: `${stackId}_`,
        DAIS_RECONCILE_INTERVAL_MS: '2000',
        DAIS_SHELL_PORT: String(shell),
        // No certificates unless a test brings an ACME server (test/support/pebble.ts) and turns them on.
        DAIS_ACME_ENABLED: 'false',
        DAIS_SHELL_MANAGER_URL: `http://127.0.0.1:${manager}`,
        DAIS_SHELL_ORCHESTRATOR_URL: `http://127.0.0.1:${orchestrator}`,
        ...options.env,
      };
      const admin = (...args: string[]) =>
        run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], { env: { ...process.env, ...env } });
      const token = await admin('create-token', '--username', 'admin', '--role', 'admin');
      await registerForSites(admin);
      stack = new TestStack(
        env,
        database,
        dir.path,
        { manager: manager!, orchestrator: orchestrator!, sites: sites!, router: router!, edge: edge!, shell: shell! },
        token.stdout.trim(),
        () => dir.remove(),
      );
      const managers: StackProcess[] = options.separateWorker ? ['manager-api', 'manager-worker'] : ['manager'];
      if (options.shell) {
        // The host keys setup makes (scripts/setup-shell.mjs), so the shell starts as it does for users.
        await run(process.execPath, [join(REPO_ROOT, 'scripts/setup-shell.mjs')], { env: { ...process.env, DAIS_STATE_DIR: dir.path } });
      }
      if (options.prepare) Object.assign(stack.env, await options.prepare({ stateDir: dir.path, ports: stack.ports }));
      const shellProcess: StackProcess[] = options.shell ? ['shell'] : [];
      for (const name of ['orchestrator', 'router', ...managers, ...shellProcess] as StackProcess[]) stack.startProcess(name);
      await stack.waitUntilReady();
      return stack;
    } catch (error) {
      // A stack that did not start leaves nothing behind either: its test's afterAll has no stack to stop.
      if (stack) await stack.stop().catch(() => undefined);
      else {
        await database?.drop().catch(() => undefined);
        await dir.remove();
      }
      throw error;
    }
  }

  /**
   * Starts (or restarts) one process; `as` runs another copy under that name (a second manager API
   * process), with `env` on top of the stack's settings (its own port).
   */
  startProcess(name: StackProcess, options: { as?: string; env?: Record<string, string> } = {}): void {
    const label = options.as ?? name;
    const role = name === 'manager-api' ? 'api' : name === 'manager-worker' ? 'worker' : 'all';
    const log = createWriteStream(join(this.stateDir, `${label}.log`), { flags: 'a' });
    // The same runtime settings as npm start, so tests and benchmarks see what users run.
    const runtime = serviceRuntime(name.startsWith('manager') ? 'manager' : (name as 'orchestrator' | 'router' | 'shell'));
    const child = spawn(process.execPath, [...runtime.nodeArgs, join(REPO_ROOT, ENTRY[name])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...runtime.env, ...this.env, ...options.env, DAIS_MANAGER_ROLE: role },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.processes.set(label, child);
  }

  /** Sends a signal to a process (SIGSTOP/SIGCONT freeze and thaw it; SIGKILL kills it outright). */
  signal(name: string, signal: NodeJS.Signals): void {
    this.processes.get(name)?.kill(signal);
  }

  /** Stops a process and waits for it to exit. */
  async stopProcess(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.processes.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
    this.processes.delete(name);
  }

  /**
   * Stops a process with `signal` (SIGKILL: a crash) and starts it again, as docker-compose's restart
   * policy does, then waits until the whole stack answers.
   */
  async restartProcess(name: StackProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopProcess(name, signal);
    this.startProcess(name);
    await this.waitUntilReady();
  }

  /** The operating-system pid of a running process (benchmarks read its memory and CPU time in /proc). */
  pidOf(name: string): number | undefined {
    return this.processes.get(name)?.pid;
  }

  /** What a process has logged so far (for failure messages). */
  logOf(name: string): string {
    try {
      return readFileSync(join(this.stateDir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Waits until a process's log shows `pattern` (or `timeoutMs` passes) and returns the log. Its
   * output reaches the file through this process's event loop, so a line can land after the
   * answer or the exit it goes with has been seen.
   */
  async logUntil(name: StackProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.logOf(name)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return this.logOf(name);
  }

  /** Signs requests as one of this stack's components (to talk to orchestrator or router directly). */
  signer(callerId: string, audience: string): TestSigner {
    return { callerId, audience, privateKey: loadOwnPrivateKey(join(this.stateDir, 'keys'), callerId) };
  }

  /** Calls the manager's API as the admin (or with another token). */
  async api<T = unknown>(method: string, path: string, body?: unknown, token: string | null = this.adminToken): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.ports.manager}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text; // Not JSON (metrics, HTML): the text itself.
    }
    return { status: response.status, json: json as T };
  }

  /** Creates a site through the API as the admin; fails unless the answer is 202. */
  async createSite(name: string): Promise<SiteView> {
    const answer = await this.api<SiteView>('POST', '/api/sites', { name });
    if (answer.status !== 202)
      throw new Error(`POST /api/sites {"name":"${name}"} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return answer.json;
  }

  /** Fetches a page of a site through the router, as a visitor would. */
  visit(hostname: string, path = '/'): Promise<PlainResponse> {
    return getWithHost(this.ports.edge, hostname, path);
  }

  /** Polls an operation until `done` says so; fails with the process logs after the timeout. */
  async waitForOperation<T extends { state: string }>(
    id: number,
    done: (operation: T) => boolean = (o) => o.state === 'succeeded' || o.state === 'failed',
    timeoutMs = 30_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    while (Date.now() < deadline) {
      const answer = await this.api<T>('GET', `/api/operations/${id}`);
      last = answer.json;
      if (answer.status === 200 && done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`operation ${id} did not reach the expected state; last seen ${JSON.stringify(last)}\n${this.allLogs()}`);
  }

  /** Stops everything and removes the database, Redis keys and folders. */
  async stop(): Promise<void> {
    for (const name of [...this.processes.keys()]) await this.stopProcess(name);
    // With DAIS_NGINX_STOP_ON_EXIT=false the components leave their nginx serving on purpose.
    for (const prefix of ['orchestrator/nginx', 'router/nginx']) await stopLeftoverNginx(join(this.stateDir, prefix, 'run/nginx.pid'));
    await removeDockerResources(this.env.DAIS_SITE_NAME_PREFIX ?? '');
    await dropDatabasesWithPrefix(this.env.DAIS_DATABASE_NAME_PREFIX ?? '');
    const redis = new Redis(this.env.REDIS_URL ?? '');
    const keys = await redis.keys(`${this.env.DAIS_QUEUE_PREFIX ?? 'missing'}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await this.database.drop();
    await this.cleanupDir();
  }

  private allLogs(): string {
    return (['orchestrator', 'router', 'manager', 'manager-api', 'manager-worker', 'shell'] as StackProcess[])
      .map((name) => `--- ${name} ---\n${this.logOf(name).slice(-3000)}`)
      .join('\n');
  }

  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    let waiting: string[] = [];
    while (Date.now() < deadline) {
      const exited = [...this.processes].find(([, child]) => child.exitCode !== null);
      if (exited) throw new Error(`${exited[0]} exited during startup:\n${this.logOf(exited[0])}`);
      const ready = await Promise.all([
        fetch(`http://127.0.0.1:${this.ports.manager}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
        // Unsigned requests get 401 once a component listens: enough to know it is up.
        fetch(`http://127.0.0.1:${this.ports.orchestrator}/v1/health`).then(
          (r) => r.status === 401,
          () => false,
        ),
        fetch(`http://127.0.0.1:${this.ports.router}/v1/health`).then(
          (r) => r.status === 401,
          () => false,
        ),
        // The shell greets with its SSH version line once it listens.
        this.processes.has('shell') ? sshGreets(this.ports.shell) : true,
      ]);
      waiting = ['manager', 'orchestrator', 'router', 'shell'].filter((_name, index) => !ready[index]);
      if (waiting.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the stack did not become ready (${waiting.join(', ')} not answering):\n${this.allLogs()}`);
  }
}

/** Stops an nginx master the stack's components left running (SIGQUIT), and waits until it is gone. */
async function stopLeftoverNginx(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    // A stale pid file may name someone else's process by now: only an nginx of this prefix is ours.
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!command.includes('nginx') || !command.includes(dirname(dirname(pidFile)))) return;
    process.kill(pid, 'SIGQUIT');
  } catch {
    return; // No pid file, or no such process: nothing left.
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(pid, 'SIGKILL');
}

/** True once something on the port speaks SSH (sends its `SSH-2.0-…` version line). */
function sshGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('SSH-2.0-')));
    socket.once('error', () => done(false));
  });
}
