import { isIP } from 'node:net';
import { Server, type Connection } from 'ssh2';
import type { Authenticator } from '../auth/authenticator';
import type { Logger } from '../log';
import { ConnectionAuthentication } from './authentication';
import { SessionHandler, type SessionServices } from './session-handler';

/** Settings of the SSH listener. */
export interface SshServerOptions {
  hostKeys: Buffer[];
  host: string;
  port: number;
  /** A connection that has not signed in after this long is closed. */
  loginGraceMs: number;
}

/**
 * The shell's SSH server (the only place ssh2 is used): sign-in through the manager, then one
 * session per connection in a site's container.
 */
export class SshServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly options: SshServerOptions,
    private readonly authenticator: Authenticator,
    private readonly services: SessionServices & { log: Logger },
  ) {
    this.server = new Server({ hostKeys: options.hostKeys, ident: 'Dais' }, (client, info) => this.accept(client, info.ip));
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  /** Stops accepting, ends every connection and waits for the listener to close. */
  close(): Promise<void> {
    for (const client of this.connections) client.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Connection, ip: string | undefined): void {
    // Only a plain IP is reported (the manager refuses anything else), and only for rate limits and the audit log.
    const address = ip?.replace(/^::ffff:/, '');
    const remoteAddress = address && isIP(address) !== 0 ? address : null;
    this.connections.add(client);
    const auth = new ConnectionAuthentication(this.authenticator, remoteAddress, () => client.end());
    const grace = setTimeout(() => client.end(), this.options.loginGraceMs);
    client.on('authentication', (ctx) => auth.handle(ctx));
    client.on('ready', () => {
      clearTimeout(grace);
      const login = auth.result;
      if (!login) {
        client.end();
        return;
      }
      this.services.log.info({ user: login.username, site: login.site ?? null, remoteAddress }, 'signed in');
      client.on('session', (accept) => new SessionHandler(login, remoteAddress, this.services).attach(accept()));
    });
    // A client that vanishes mid-handshake is normal; it must not take the server down.
    client.on('error', (error: Error) => this.services.log.info({ remoteAddress, err: error.message }, 'connection error'));
    client.on('close', () => {
      clearTimeout(grace);
      this.connections.delete(client);
    });
  }
}
