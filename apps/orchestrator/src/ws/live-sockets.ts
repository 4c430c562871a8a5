import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  DaisError,
  isDaisError,
  keyFilePaths,
  loadPublicKey,
  loadTrustedCallers,
  RequestVerifier,
  TRUSTED_ROUTES,
  type NonceStore,
} from '@dais/shared';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { ContainerSessions } from '../docker/container-sessions';
import { SiteFolderProvider } from '../files';
import type { SiteDirectories } from '../sites/site-directories';
import type { SiteRuntimeDriver } from '../sites/runtime-driver';
import type { SiteService } from '../sites/site.service';
import { runFilesChannel } from './files-channel';
import { keepAlive } from './heartbeat';
import { runLogsChannel } from './logs-channel';
import { runProcessChannel, type SessionLimits } from './process-channel';
import { runSftpChannel } from './sftp-channel';
import { ShellTokenCheck } from './shell-server-channel';
import type { ShellSessions } from './shell-sessions';
import { SessionQuota } from './session-quota';
import { SiteProcessLauncher } from './site-process';
import { runStatusChannel, SiteChangeWatch } from './status-channel';
import { checkUpgrade, type AcceptedUpgrade, type UpgradeCheckDeps } from './upgrade-check';
import { refuseUpgrade } from './upgrade-refusal';
import { closeWithError } from './ws-frames';

/** What the orchestrator's websockets work with. */
export interface LiveSocketDeps {
  config: OrchestratorConfig;
  sites: SiteService;
  files: SiteDirectories;
  runtime: SiteRuntimeDriver;
  /** The control API's nonce store: a request or token accepted on either path is refused on both. */
  nonces: NonceStore;
  /** The shell's live sessions, which the manager may end (`POST /v1/sessions/end`). */
  shellSessions: ShellSessions;
}

/** Largest frame a client may send: an SFTP write (256 KiB as base64) and its envelope. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** How long shutdown waits for sessions to clean up. */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * The orchestrator's websockets, on its control API's port: every upgrade is signed and checked
 * against the same allow-list as the HTTP routes before anything is upgraded. The manager reaches
 * `/ws/sites/:siteId/{terminal,logs,status,files}`; the shell reaches only
 * `/ws/shell-server/:siteId`, and only with a manager-signed token for that site.
 */
export function registerLiveSockets(server: FastifyInstance, deps: LiveSocketDeps): void {
  const { config } = deps;
  const log = server.log.child({ channel: 'ws' });
  const containers = new ContainerSessions(config.runtime.dockerSocket, config.runtime.namePrefix);
  const folders = new SiteFolderProvider({
    files: deps.files,
    uidBase: config.runtime.uidBase,
    diskLimitMbOf: (siteId) => deps.sites.diskLimitMbOf(siteId),
  });
  const checks: UpgradeCheckDeps = {
    verifier: new RequestVerifier({
      selfId: config.id,
      callers: loadTrustedCallers(config.keys.dir, TRUSTED_ROUTES.orchestrator),
      nonces: deps.nonces,
    }),
    tokens: new ShellTokenCheck(loadPublicKey(keyFilePaths(config.keys.dir, 'manager').publicKey), deps.nonces, deps.shellSessions),
    folders,
    siteSpec: (siteId) => deps.sites.get(siteId),
    maxLogTail: config.live.maxLogTail,
  };
  const channels: ChannelDeps = {
    config,
    containers,
    folders,
    launcher: new SiteProcessLauncher({ containers, config, files: deps.files }),
    watch: new SiteChangeWatch(deps.runtime),
    sites: deps.sites,
    shellSessions: deps.shellSessions,
    limits: { idleTimeoutMs: config.live.idleTimeoutMs, maxLifetimeMs: config.live.maxLifetimeMs },
    log,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const quota = new SessionQuota(config.live.maxSessionsPerSite);
  /** Sessions still running or cleaning up (a terminal container being removed). */
  const running = new Set<Promise<void>>();

  server.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    checkUpgrade(checks, request)
      .then((accepted) => ({ accepted, release: quota.claim(accepted) }))
      .then(
        ({ accepted, release }) => {
          // The session's place is free once its connection is gone, however it ended.
          if (socket.destroyed) {
            release();
            return;
          }
          socket.once('close', release);
          wss.handleUpgrade(request, socket, head, (ws) => {
            keepAlive(ws, config.live.heartbeatMs);
            const session = serve(ws, accepted, channels).catch((error: unknown) => {
              if (!isDaisError(error)) log.error({ err: error }, 'a websocket session failed');
              const coded = isDaisError(error) ? error : new DaisError('INTERNAL', 'The session failed on our side.');
              closeWithError(ws, coded.code, coded.message);
            });
            running.add(session);
            void session.finally(() => running.delete(session));
          });
        },
        (error: unknown) => refuseUpgrade(socket, error, (entry, message) => log.error(entry, message)),
      );
  });
  // Sessions end with the server: their processes are hung up and terminal containers removed
  // (waited for, within a bound, so a stopped orchestrator leaves no terminal container behind).
  server.addHook('preClose', async () => {
    for (const client of wss.clients) client.terminate();
    channels.watch.close();
    wss.close();
    await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
  });
  void containers.removeStaleTerminals().catch((error: unknown) => log.warn({ err: error }, 'could not remove stale terminal containers'));
}

interface ChannelDeps {
  config: OrchestratorConfig;
  containers: ContainerSessions;
  folders: SiteFolderProvider;
  launcher: SiteProcessLauncher;
  watch: SiteChangeWatch;
  sites: SiteService;
  shellSessions: ShellSessions;
  limits: SessionLimits;
  log: FastifyInstance['log'];
}

async function serve(ws: WebSocket, accepted: AcceptedUpgrade, deps: ChannelDeps): Promise<void> {
  const { spec } = accepted;
  switch (accepted.kind) {
    case 'terminal':
      return runProcessChannel(ws, deps.limits, (output, announceStandIn) =>
        deps.launcher.launch(spec, accepted.process, output, announceStandIn),
      );
    case 'logs':
      return runLogsChannel(ws, deps.containers, spec, accepted.tail);
    case 'status':
      runStatusChannel(
        ws,
        { watch: deps.watch, status: (siteId) => deps.sites.status(siteId), pollMs: deps.config.live.statusPollMs },
        spec.id,
      );
      return;
    case 'files':
      return runFilesChannel(ws, deps.folders.of(spec.id), accepted.path);
    case 'shell':
    case 'sftp': {
      const who = { siteId: spec.id, userId: accepted.claims.userId, username: accepted.claims.username, mode: accepted.kind };
      if (!deps.shellSessions.track(ws, accepted.claims)) return;
      deps.log.info(who, 'shell session opened');
      ws.once('close', () => deps.log.info(who, 'shell session closed'));
      if (accepted.kind === 'sftp') {
        runSftpChannel(ws, deps.folders.of(spec.id), deps.limits);
        return;
      }
      return runProcessChannel(ws, deps.limits, (output, announceStandIn) =>
        deps.launcher.launch(spec, accepted.process, output, announceStandIn),
      );
    }
  }
}
