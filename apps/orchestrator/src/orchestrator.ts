import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FileNonceStore, loadOwnPrivateKey, TRUSTED_ROUTES, type RunnableService, type SiteSpec } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { assertNoHostnameConflict, NginxTier } from '@dais/nginx';
import type { OrchestratorConfig } from './config/orchestrator.config';
import { createDatabaseQueryService } from './databases/query.service';
import { createSiteDisks } from './disks';
import { createSiteDatabaseService } from './databases/site-databases';
import { ContainerRuntime } from './docker/container-runtime';
import { createDockerClient } from './docker/docker-client';
import { DockerImageBuilder } from './docker/image-builder';
import { SwarmRuntime } from './docker/swarm-runtime';
import { registerDatabaseQueryRoute, registerDatabaseRoutes } from './http/databases.routes';
import { registerIdentityRoutes } from './http/identity.routes';
import { registerFileRoutes } from './http/files.routes';
import { registerBackupRoutes } from './http/backup.routes';
import { DatabaseDumpAdapter } from './databases/database-dump.adapter';
import { SiteFolderProvider } from './files';
import { registerImageRoutes } from './http/images.routes';
import { registerSessionRoutes } from './http/sessions.routes';
import { registerSiteRoutes } from './http/sites.routes';
import { renderSitesConfig } from './nginx/sites-config.render';
import { siteRefusals } from './nginx/site-refusals';
import { registerLiveSockets } from './ws/live-sockets';
import { ShellSessions } from './ws/shell-sessions';
import { EndpointRegistry, observeRunningEndpoints } from './sites/endpoint-registry';
import { Reconciler } from './sites/reconciler';
import { SiteDirectories } from './sites/site-directories';
import type { SiteRuntimeDriver } from './sites/runtime-driver';
import { SiteService } from './sites/site.service';
import { storedSiteSpecSchema } from './sites/stored-site-spec';

/** A running orchestrator: its control API, the nginx it drives and the sites' containers. */
export interface Orchestrator extends RunnableService {
  server: FastifyInstance;
}

/** Wires the orchestrator from its configuration. Nothing starts until `start()`. */
export function createOrchestrator(config: OrchestratorConfig): Orchestrator {
  // One store for the HTTP API, its websocket upgrades and shell tokens, kept on disk across restarts.
  const nonces = new FileNonceStore({ file: config.nonceFile });
  const server = createComponentServer({
    id: config.id,
    keysDir: config.keys.dir,
    trustedRoutes: TRUSTED_ROUTES.orchestrator,
    nonces,
    bodyLimitBytes: config.api.bodyLimitBytes,
    logLevel: config.logLevel,
  });
  const disks = createSiteDisks({
    kind: config.disks.driver,
    sitesRoot: join(config.sites.dataRoot, 'sites'),
    imagesDir: config.disks.imagesDir,
    uidBase: config.runtime.uidBase,
  });
  const files = new SiteDirectories(config.sites.dataRoot, disks);
  const endpoints = new EndpointRegistry();
  const runtime = createRuntime(config);
  const builder = new DockerImageBuilder({
    socketPath: config.runtime.dockerSocket,
    namePrefix: config.runtime.namePrefix,
    settings: config.build,
  });
  const render = (sites: Iterable<SiteSpec>, generation: number) =>
    renderSitesConfig({
      prefix: config.nginx.prefix,
      generation,
      statusPort: config.nginx.statusPort,
      listen: { host: config.sites.host, port: config.sites.port },
      sitesRoot: files.sitesRoot,
      publicDirOf: (siteId) => files.publicDir(siteId),
      endpointsOf: (siteId) => endpoints.of(siteId),
      sites,
    });
  const explainRefusal = siteRefusals(server.log);
  const tier = new NginxTier({
    nginx: config.nginx,
    stateDir: join(config.sites.dataRoot, 'specs'),
    schema: storedSiteSpecSchema(server.log),
    validate: assertNoHostnameConflict,
    render: (state, generation) => render(state.values(), generation),
    explainRefusal,
  });
  let reconciler: Reconciler | undefined;

  return {
    server,
    async start() {
      await nonces.open();
      await files.prepare();
      await builder.sweepLeftovers();
      await runtime.prepare();
      // The running containers' addresses before the first render: a restarted (or upgraded)
      // orchestrator must not route its adopted nginx's dynamic sites to "not running" meanwhile.
      const seedEndpoints = (specs: ReadonlyMap<number, SiteSpec>) => observeRunningEndpoints(specs.values(), runtime, endpoints);
      for (const entry of await tier.start(seedEndpoints))
        server.log.error(entry, 'skipped an unreadable site spec; the manager will send it again');
      const sites = new SiteService({
        files,
        table: tier.table,
        runtime,
        endpoints,
        uidBase: config.runtime.uidBase,
        testOwnBlock: (spec) =>
          tier
            .testConfig(() => render([spec], 0), `The nginx snippet of site ${spec.id}`)
            .catch((error: unknown) => {
              throw explainRefusal(spec.id, spec, undefined, error);
            }),
      });
      registerSiteRoutes(server, sites, () => ({
        component: config.id,
        status: 'ok',
        nginxGeneration: tier.table.generation,
        sites: sites.count,
      }));
      registerImageRoutes(server, builder);
      registerIdentityRoutes(server, { id: config.id, privateKey: loadOwnPrivateKey(config.keys.dir, config.id) });
      registerDatabaseRoutes(server, createSiteDatabaseService());
      registerDatabaseQueryRoute(server, createDatabaseQueryService());
      const shellSessions = new ShellSessions();
      registerLiveSockets(server, { config, sites, files, runtime, nonces, shellSessions });
      registerSessionRoutes(server, shellSessions);
      const diskLimitMbOf = (siteId: number) => sites.diskLimitMbOf(siteId);
      const folders = new SiteFolderProvider({ files, uidBase: config.runtime.uidBase, diskLimitMbOf });
      registerFileRoutes(server, folders, config.files);
      registerBackupRoutes(server, folders, new DatabaseDumpAdapter());
      reconciler = new Reconciler(sites, runtime, tier, { intervalMs: config.runtime.reconcileIntervalMs }, server.log);
      await reconciler.start();
      await server.listen({ host: config.api.host, port: config.api.port });
      server.log.info({ sites: sites.count, generation: tier.table.generation, runtime: config.runtime.kind }, 'orchestrator ready');
    },
    async stop() {
      await server.close();
      await reconciler?.stop();
      await nonces.close();
      if (config.nginx.stopOnExit) await tier.stopNginx();
    },
  };
}

function createRuntime(config: OrchestratorConfig): SiteRuntimeDriver {
  const docker = createDockerClient(config.runtime.dockerSocket);
  const { namePrefix } = config.runtime;
  return config.runtime.kind === 'swarm'
    ? new SwarmRuntime(docker, { namePrefix, network: config.swarm.network }, config.swarm)
    : new ContainerRuntime(docker, { namePrefix, network: config.runtime.network });
}
