import type { FastifyInstance } from 'fastify';
import { FileNonceStore, loadOwnPrivateKey, routeSpecSchema, TRUSTED_ROUTES, type RunnableService } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { assertNoHostnameConflict, NginxTier } from '@dais/nginx';
import type { RouterConfig } from './config/router.config';
import { acmePaths, createCertificateService } from './certificates/certificate-wiring';
import type { CertificateService } from './certificates/certificate.service';
import { FileChallengeStore } from './certificates/file-challenge-store';
import { RouteService } from './forwarding/route.service';
import { registerIdentityRoutes } from './http/identity.routes';
import { registerBackupRoutes } from './http/backup.routes';
import { registerCertificateRoutes } from './http/certificates.routes';
import { registerRouteRoutes } from './http/routes.routes';
import { renderEdgeConfig } from './nginx/edge-config.render';
import { routeRefusals } from './nginx/route-refusals';

/** A running router: its control API and the edge nginx it drives. */
export interface Router extends RunnableService {
  server: FastifyInstance;
}

/** Wires the router from its configuration. Nothing starts until `start()`. */
export function createRouter(config: RouterConfig): Router {
  // Kept on disk, so a request accepted before a restart is still refused after it.
  const nonces = new FileNonceStore({ file: config.nonceFile });
  const server = createComponentServer({
    id: config.id,
    keysDir: config.keys.dir,
    trustedRoutes: TRUSTED_ROUTES.router,
    nonces,
    bodyLimitBytes: config.api.bodyLimitBytes,
    logLevel: config.logLevel,
  });
  const challenges = new FileChallengeStore(acmePaths(config.acme.dir).challenges);
  let certificates: CertificateService | undefined;
  const tier = new NginxTier({
    nginx: config.nginx,
    stateDir: config.stateRoot,
    schema: routeSpecSchema,
    validate: assertNoHostnameConflict,
    explainRefusal: routeRefusals(server.log),
    render: (state, generation) =>
      renderEdgeConfig({
        prefix: config.nginx.prefix,
        generation,
        statusPort: config.nginx.statusPort,
        listen: { host: config.edge.host, port: config.edge.port },
        orchestrators: config.edge.orchestrators,
        routes: state.values(),
        tls: { httpsPort: config.edge.httpsPort, challengeDir: challenges.servedDir, certificates: certificates?.servable() ?? [] },
      }),
  });

  return {
    server,
    async start() {
      await nonces.open();
      await challenges.init();
      const certificateService = await createCertificateService({
        acme: config.acme,
        policy: config.acmePolicy,
        challenges,
        reapply: () => tier.table.reapply(),
        log: server.log,
      });
      // Stored certificates are checked before nginx starts, so a corrupt one never reaches its config.
      await certificateService.load();
      certificates = certificateService;
      for (const entry of await tier.start()) server.log.error(entry, 'skipped an unreadable route; the manager will send it again');
      await certificateService.start(tier.table.state.values());
      const routes = new RouteService(tier.table, certificateService);
      registerCertificateRoutes(server, certificateService);
      registerIdentityRoutes(server, { id: config.id, privateKey: loadOwnPrivateKey(config.keys.dir, config.id) });
      registerBackupRoutes(server, { acmeDir: config.acme.dir }, async () => {
        await certificateService.load();
        await tier.table.reapply();
      });
      registerRouteRoutes(server, routes, () => ({
        component: config.id,
        status: 'ok',
        nginxGeneration: routes.generation,
        sites: routes.count,
      }));
      await server.listen({ host: config.api.host, port: config.api.port });
      server.log.info({ sites: routes.count, generation: routes.generation }, 'router ready');
    },
    async stop() {
      certificates?.stop();
      await server.close();
      await nonces.close();
      if (config.nginx.stopOnExit) await tier.stopNginx();
    },
  };
}
