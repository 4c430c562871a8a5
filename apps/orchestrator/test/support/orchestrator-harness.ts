import { join } from 'node:path';
import Docker from 'dockerode';
import type { SiteSpec, SiteStatus } from '@dais/shared';
import { eventually, getWithHost, type PlainResponse } from '../../../../test/support/http';
import { writeComponentKeys } from '../../../../test/support/keys';
import { freePorts } from '../../../../test/support/ports';
import { scopedPrefix } from '../../../../test/support/run-scope';
import { signedFetch, type RawAnswer, type TestSigner } from '../../../../test/support/signed-fetch';
import { tempDir } from '../../../../test/support/temp-dir';
import { loadOrchestratorConfig } from '../../src/config/orchestrator.config';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator';

/** The local image every dynamic-site test runs (built by `npm run setup`). */
export const TEST_IMAGE = 'dais/busybox:latest';

/** A run.sh that records what the site sees, then serves public/ on $PORT with busybox httpd. */
export const SERVE_RUN_SH = `#!/bin/sh
env > /site/private/env.txt
id -u > /site/private/uid.txt
touch /outside-the-site 2> /site/private/rootfs.txt || echo read-only >> /site/private/rootfs.txt
exec httpd -f -p "$PORT" -h /site/public
`;

/** An orchestrator running in this process against the real engine and nginx. */
export class OrchestratorHarness {
  readonly docker = new Docker({ socketPath: '/var/run/docker.sock' });
  private orchestrator: Orchestrator | undefined;

  private constructor(
    readonly dir: { path: string; remove(): Promise<void> },
    readonly env: Record<string, string>,
    readonly api: string,
    readonly sitesPort: number,
    readonly manager: TestSigner,
  ) {}

  /** Boots an orchestrator with its own folders, ports, keys and container name prefix. */
  static async start(runtime: 'docker' | 'swarm', extraEnv: Record<string, string> = {}): Promise<OrchestratorHarness> {
    const dir = await tempDir(`orchestrator-${runtime}`);
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'shell']);
    const [apiPort, sites, status] = await freePorts(3);
    const env = {
      DAIS_STATE_DIR: dir.path,
      DAIS_ORCHESTRATOR_PORT: String(apiPort),
      DAIS_ORCHESTRATOR_SITES_PORT: String(sites),
      DAIS_ORCHESTRATOR_STATUS_PORT: String(status),
      DAIS_RUNTIME: runtime,
      DAIS_SITE_NAME_PREFIX: `${scopedPrefix()}-`,
      DAIS_RECONCILE_INTERVAL_MS: '1000',
      DAIS_LOG_LEVEL: 'silent',
      ...extraEnv,
    };
    const harness = new OrchestratorHarness(dir, env, `http://127.0.0.1:${apiPort}`, sites!, {
      callerId: 'manager',
      privateKey: keys.manager!,
      audience: 'orchestrator',
    });
    await harness.boot();
    return harness;
  }

  /** Starts (again) the orchestrator process part; its nginx and containers may still be running. */
  async boot(): Promise<void> {
    this.orchestrator = createOrchestrator(loadOrchestratorConfig(this.env));
    await this.orchestrator.start();
  }

  /** Stops the orchestrator (and its nginx). */
  async shutdown(): Promise<void> {
    await this.orchestrator?.stop();
    this.orchestrator = undefined;
  }

  /** Stops everything and removes every container, service and folder this harness made. */
  async destroy(): Promise<void> {
    await this.shutdown();
    const label = `dais.managed-by=${this.env.DAIS_SITE_NAME_PREFIX ?? ''}`;
    for (const service of await this.docker.listServices({ filters: { label: [label] } }).catch(() => [])) {
      await this.docker
        .getService(service.ID)
        .remove()
        .catch(() => undefined);
    }
    for (const container of await this.docker.listContainers({ all: true, filters: { label: [label] } })) {
      await this.docker
        .getContainer(container.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
    for (const image of await this.docker.listImages({ filters: { reference: [`${this.prefix}*`] } })) {
      for (const tag of image.RepoTags ?? [])
        await this.docker
          .getImage(tag)
          .remove()
          .catch(() => undefined);
    }
    await this.dir.remove();
  }

  /** The name prefix of this harness's containers and services. */
  get prefix(): string {
    return this.env.DAIS_SITE_NAME_PREFIX ?? '';
  }

  /** Folder of a site's files. */
  siteDir(siteId: number): string {
    return join(this.dir.path, 'orchestrator/data/sites', String(siteId));
  }

  put(spec: SiteSpec | Record<string, unknown>): Promise<RawAnswer> {
    return signedFetch(this.api, this.manager, 'PUT', `/v1/sites/${String(spec.id)}`, { body: spec });
  }

  call(method: string, path: string): Promise<RawAnswer> {
    return signedFetch(this.api, this.manager, method, path);
  }

  async status(siteId: number): Promise<SiteStatus> {
    return (await this.call('GET', `/v1/sites/${siteId}/status`)).json as SiteStatus;
  }

  visit(hostname: string, path = '/'): Promise<PlainResponse> {
    return getWithHost(this.sitesPort, hostname, path);
  }

  /** Waits until a visit answers with the status (and body fragment, if given). */
  async visitUntil(hostname: string, status: number, fragment = '', timeoutMs = 30_000): Promise<PlainResponse> {
    return eventually(
      () => this.visit(hostname).catch(() => ({ status: 0, headers: {}, body: '' })),
      (page) => page.status === status && page.body.includes(fragment),
      timeoutMs,
      100,
    );
  }

  /** Waits until the site's status satisfies `check`. */
  async statusUntil(siteId: number, check: (status: SiteStatus) => boolean, timeoutMs = 30_000): Promise<SiteStatus> {
    return eventually(() => this.status(siteId), check, timeoutMs, 200);
  }
}

/** A dynamic site's spec, with defaults a test can override. */
export function dynamicSpec(
  id: number,
  name: string,
  overrides: Partial<SiteSpec> = {},
  runtime: Partial<NonNullable<SiteSpec['runtime']>> = {},
): SiteSpec {
  return {
    id,
    name,
    type: 'dynamic',
    availability: 'enabled',
    hostnames: [`${name}.dais.localhost`],
    nginx: {},
    diskLimitMb: 1_024,
    runtime: {
      image: TEST_IMAGE,
      limits: { memoryMb: 64, cpus: 0.5, pids: 64 },
      env: {},
      secrets: {},
      database: null,
      stopped: false,
      replicas: 1,
      runScript: SERVE_RUN_SH,
      ...runtime,
    },
    ...overrides,
  };
}
