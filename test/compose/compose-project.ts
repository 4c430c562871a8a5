import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/dev-env';
import { eventually, getWithHost } from '../support/http';
import { freePorts } from '../support/ports';

const run = promisify(execFile);

/** The ports a compose project publishes or takes on the host's network, all from the test pool. */
export interface ComposePorts {
  manager: number;
  ssh: number;
  routerHttp: number;
  routerHttps: number;
  routerApi: number;
  routerStatus: number;
  orchestratorApi: number;
  orchestratorSites: number;
  orchestratorStatus: number;
  controlOrchestrator: number;
  controlRouter: number;
  sitesPostgres: number;
}

/**
 * One `docker-compose -p dais-ct-<id>` project of the top-level docker-compose.yml, with its own
 * ports, sites folder, sites network and container names, so it collides with nothing else on the
 * machine. Everything it made is removed by {@link remove}, volumes included.
 */
export class ComposeProject {
  private constructor(
    readonly name: string,
    readonly ports: ComposePorts,
    readonly sitesRoot: string,
    private readonly envFile: string,
    private readonly settings: Record<string, string | number>,
    /** The compose file; another commit's for an upgrade from it (bench/compose-upgrade.ts). */
    public composeFile = join(REPO_ROOT, 'docker-compose.yml'),
  ) {}

  static async create(dir: string, sitesDomain: string): Promise<ComposeProject> {
    const name = `dais-ct-${Date.now().toString(36)}${randomInt(1000)}`;
    const [manager, ssh, routerHttp, routerHttps, routerApi, routerStatus, orchestratorApi, orchestratorSites, orchestratorStatus] =
      (await freePorts(9)) as [number, number, number, number, number, number, number, number, number];
    const [controlOrchestrator, controlRouter, sitesPostgres] = (await freePorts(3)) as [number, number, number];
    const ports = {
      manager,
      ssh,
      routerHttp,
      routerHttps,
      routerApi,
      routerStatus,
      orchestratorApi,
      orchestratorSites,
      orchestratorStatus,
      controlOrchestrator,
      controlRouter,
      sitesPostgres,
    };
    const sitesRoot = join(dir, 'sites');
    await mkdir(sitesRoot, { recursive: true });
    const subnet = `172.29.${randomInt(2, 250)}`;
    const settings: Record<string, string | number> = {
      DAIS_SITES_DOMAIN: sitesDomain,
      DAIS_PUBLIC_URL: `http://127.0.0.1:${manager}`,
      DAIS_SITES_PUBLIC_PORT: routerHttp,
      DAIS_ACME_ENABLED: 'false',
      DAIS_ROUTER_BIND: '127.0.0.1',
      DAIS_ROUTER_HTTP_PORT: routerHttp,
      DAIS_ROUTER_HTTPS_PORT: routerHttps,
      DAIS_ROUTER_PORT: routerApi,
      DAIS_ROUTER_STATUS_PORT: routerStatus,
      DAIS_MANAGER_BIND: '127.0.0.1',
      DAIS_MANAGER_PORT: manager,
      DAIS_SSH_BIND: '127.0.0.1',
      DAIS_SSH_PORT: ssh,
      DAIS_ORCHESTRATOR_PORT: orchestratorApi,
      DAIS_ORCHESTRATOR_SITES_PORT: orchestratorSites,
      DAIS_ORCHESTRATOR_STATUS_PORT: orchestratorStatus,
      DAIS_CONTROL_ORCHESTRATOR_PORT: controlOrchestrator,
      DAIS_CONTROL_ROUTER_PORT: controlRouter,
      DAIS_SITES_POSTGRES_PORT: sitesPostgres,
      DAIS_SITES_ROOT: sitesRoot,
      DAIS_SITES_NETWORK: `${name}-sites`,
      DAIS_SITES_SUBNET: `${subnet}.0/24`,
      DAIS_SITES_GATEWAY: `${subnet}.1`,
      DAIS_SITE_NAME_PREFIX: `${name}-site-`,
    };
    const project = new ComposeProject(name, ports, sitesRoot, join(dir, 'compose.env'), settings);
    await project.configure({});
    return project;
  }

  /** Changes settings of the project's .env (such as DAIS_IMAGE_TAG); the next `up -d` applies them. */
  async configure(changes: Record<string, string | number>): Promise<void> {
    Object.assign(this.settings, changes);
    await writeFile(
      this.envFile,
      Object.entries(this.settings)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
  }

  /** A new API token for the admin, made as an admin would for scripts. */
  async adminToken(): Promise<string> {
    return (
      await this.compose('exec', '-T', 'manager', 'dais-admin', 'create-token', '--username', 'admin', '--role', 'admin', '--name', 'tests')
    ).trim();
  }

  /** Runs `docker-compose <args>` for this project; resolves with its output, rejects with it. */
  async compose(...args: string[]): Promise<string> {
    const { stdout, stderr } = await run('docker-compose', ['-p', this.name, '--env-file', this.envFile, '-f', this.composeFile, ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    }).catch((error: unknown) => {
      const { stdout = '', stderr = '', message = '' } = error as { stdout?: string; stderr?: string; message?: string };
      throw new Error(`docker-compose ${args.join(' ')} failed: ${stderr}${stdout}${message}`);
    });
    return stdout + stderr;
  }

  /**
   * Waits until the manager's /ready answers 200 through the published port; otherwise throws with
   * what compose says of the manager, PostgreSQL and the public balancer. node:http, not fetch: a
   * fetch sent while the published port's proxy has no balancer behind it yet was seen to never settle.
   */
  async ready(timeoutMs = 180_000, intervalMs = 250): Promise<void> {
    const status = await eventually(
      () =>
        getWithHost(this.ports.manager, `127.0.0.1:${this.ports.manager}`, '/ready').then(
          (response) => response.status,
          () => 0,
        ),
      (answer) => answer === 200,
      timeoutMs,
      intervalMs,
    );
    if (status !== 200)
      throw new Error(
        `${this.name}: the manager was not ready after ${timeoutMs / 1000} s (last answer ${status})\n${await this.diagnosis('manager', 'postgres', 'public-balancer')}`,
      );
  }

  /** What compose says of the project and the last log lines of some services: for a failure's message. */
  async diagnosis(...services: string[]): Promise<string> {
    const ps = await this.compose('ps').catch((error: unknown) => String(error));
    const logs = await this.compose('logs', '--no-color', '--tail=40', ...services).catch((error: unknown) => String(error));
    return `docker-compose ps:\n${ps}\nlast log lines:\n${logs}`;
  }

  /** Copies a file from a service of another project into the same path in this project's service. */
  async copyFrom(other: ComposeProject, service: string, path: string): Promise<void> {
    const from = (await other.compose('ps', '-q', service)).trim().split('\n')[0] ?? '';
    const to = (await this.compose('ps', '-q', service)).trim().split('\n')[0] ?? '';
    const { stdout } = await run('docker', ['exec', from, 'cat', path], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    await new Promise<void>((done, fail) => {
      const child = execFile('docker', ['exec', '-i', to, 'sh', '-c', `umask 077 && cat > '${path}'`], (error, _stdout, stderr) => {
        if (error) fail(new Error(`copying ${path} into ${this.name}'s ${service} failed: ${stderr}`));
        else done();
      });
      child.stdin?.end(stdout);
    });
  }

  /** Reads a file inside a running service's container. */
  read(service: string, path: string): Promise<string> {
    return this.compose('exec', '-T', service, 'cat', path);
  }

  /** Everything the project made: containers, volumes, networks, its site containers and images, the sites folder. */
  async remove(): Promise<void> {
    await this.compose('down', '-v', '--remove-orphans', '-t', '5').catch(() => undefined);
    const sites = (await run('docker', ['ps', '-aq', '--filter', `name=^${this.name}-site-`])).stdout.split('\n').filter(Boolean);
    if (sites.length > 0) await run('docker', ['rm', '-f', ...sites]);
    // The sites network is not compose's (deploy/init/sites-network.mjs): it goes with its containers.
    await run('docker', ['network', 'rm', `${this.name}-sites`]).catch(() => undefined);
    const images = (await run('docker', ['images', '-q', '--filter', `reference=${this.name}-site-*`])).stdout.split('\n').filter(Boolean);
    if (images.length > 0) await run('docker', ['rmi', '-f', ...new Set(images)]).catch(() => undefined);
    // Site folders belong to per-site uids: remove them as root through the engine.
    await run('docker', ['run', '--rm', '-v', `${this.sitesRoot}:/sites`, 'dais/busybox:latest', 'rm', '-rf', '/sites']).catch(
      () => undefined,
    );
  }
}
