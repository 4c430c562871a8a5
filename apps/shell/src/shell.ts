import { loadOutboundTls, loadOwnPrivateKey, type RunnableService } from '@dais/shared';
import { Authenticator } from './auth/authenticator';
import { FailureThrottle } from './auth/failure-throttle';
import { ManagerClient } from './clients/manager.client';
import type { ShellConfig } from './config/shell.config';
import { createLogger } from './log';
import { SessionLauncher } from './session/terminal-session';
import { loadHostKeys } from './ssh/host-keys';
import { SshServer } from './ssh/ssh-server';

/** How long a connection may take to sign in (OpenSSH's LoginGraceTime is 120 s). */
const LOGIN_GRACE_MS = 60_000;

/** Wires the shell from its configuration: keys and TLS files are read now, nothing listens until `start()`. */
export function createShell(config: ShellConfig): RunnableService {
  const log = createLogger(config.logLevel);
  const privateKey = loadOwnPrivateKey(config.keys.dir, 'shell');
  const tls = loadOutboundTls({
    clientCert: { key: 'DAIS_SHELL_CLIENT_CERT', path: config.tls.clientCert },
    clientKey: { key: 'DAIS_SHELL_CLIENT_KEY', path: config.tls.clientKey },
    caCert: { key: 'DAIS_SHELL_CA_CERT', path: config.tls.caCert },
  });
  const manager = new ManagerClient({ baseUrl: config.manager.url, privateKey, tls, timeoutMs: config.peerTimeoutMs });
  const throttle = new FailureThrottle({ baseDelayMs: config.throttle.baseDelayMs, maxDelayMs: config.throttle.maxDelayMs });
  const launcher = new SessionLauncher(
    { baseUrl: config.orchestrator.url, audience: config.orchestrator.id, privateKey, tls, timeoutMs: config.peerTimeoutMs },
    manager,
    log,
  );
  const server = new SshServer(
    { hostKeys: loadHostKeys(config.hostKeysDir), host: config.listen.host, port: config.listen.port, loginGraceMs: LOGIN_GRACE_MS },
    new Authenticator(manager, throttle, log),
    { launcher, log, menuTimeoutMs: config.menuTimeoutMs },
  );
  return {
    async start() {
      const port = await server.listen();
      log.info({ host: config.listen.host, port }, `shell ready: ssh -p ${port} <user>@${config.listen.publicHost}`);
    },
    async stop() {
      await server.close();
      manager.close();
    },
  };
}
