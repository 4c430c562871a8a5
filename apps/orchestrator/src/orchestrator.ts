import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { siteSpecSchema, TRUSTED_ROUTES, type RunnableService } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { assertNoHostnameConflict, NginxTier } from '@dais/nginx';
import type { OrchestratorConfig } from './config/orchestrator.config';
import { registerSiteRoutes } from './http/sites.routes';
import { renderSitesConfig } from './nginx/sites-config.render';
import { SiteFiles } from './sites/site-files';
import { SiteService } from './sites/site.service';

/** A running orchestrator: its control API and the nginx it drives. */
export interface Orchestrator extends RunnableService {
  server: FastifyInstance;
}

/** Wires the orchestrator from its configuration. Nothing starts until `start()`. */
export function createOrchestrator(config: OrchestratorConfig): Orchestrator {
  const server = createComponentServer({
    id: config.id,
    keysDir: config.keys.dir,
    trustedRoutes: TRUSTED_ROUTES.orchestrator,
    bodyLimitBytes: config.api.bodyLimitBytes,
    logLevel: config.logLevel,
  });
  const files = new SiteFiles(config.sites.dataRoot);
  const tier = new NginxTier({
    nginx: config.nginx,
    stateDir: join(config.sites.dataRoot, 'specs'),
    schema: siteSpecSchema,
    validate: assertNoHostnameConflict,
    render: (state, generation) =>
      renderSitesConfig({
        prefix: config.nginx.prefix,
        generation,
        statusPort: config.nginx.statusPort,
        listen: { host: config.sites.host, port: config.sites.port },
        publicDirOf: (siteId) => files.publicDir(siteId),
        sites: state.values(),
      }),
  });

  return {
    server,
    async start() {
      await files.sweepLeftovers();
      for (const entry of await tier.start()) server.log.error(entry, 'skipped an unreadable site spec; the manager will send it again');
      const sites = new SiteService(files, tier.table);
      registerSiteRoutes(server, sites, () => ({
        component: config.id,
        status: 'ok',
        nginxGeneration: tier.table.generation,
        sites: sites.count,
      }));
      await server.listen({ host: config.api.host, port: config.api.port });
      server.log.info({ sites: sites.count, generation: tier.table.generation }, 'orchestrator ready');
    },
    async stop() {
      await server.close();
      if (config.nginx.stopOnExit) await tier.stopNginx();
    },
  };
}
