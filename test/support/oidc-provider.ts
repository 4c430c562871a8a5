import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';

/** What the test's identity provider knows about a person. */
export interface TestAccount {
  sub: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** The slice of oidc-provider (untyped, ESM-only) this harness uses. */
interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown> }>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
}
type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProviderInstance;

/** A real OpenID provider on loopback, with one client and a scripted login page. */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People who can sign in (add more any time). */
  accounts: Map<string, TestAccount>;
  stop(): Promise<void>;
}

/**
 * Starts oidc-provider for one client whose redirect URI is the manager's callback. Its login
 * "page" is two routes a test drives with plain HTTP: `POST /interaction/<uid>/login` with
 * `login=<sub>` signs in and consents in one go, `POST /interaction/<uid>/abort` declines.
 */
export async function startOidcProvider(options: { redirectUri: string }): Promise<TestOidcProvider> {
  // The issuer URL holds the port, so the server listens (on a port the kernel picks) before the provider exists.
  let handle: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  const issuer = `http://127.0.0.1:${await listenOnAnyPort(server)}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'dais-manager';
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'test',
    use: 'sig',
  };
  // A variable specifier: the package ships no types, and this keeps tsc from looking for them.
  const moduleName = 'oidc-provider';
  const { default: Provider } = (await import(moduleName)) as { default: OidcProviderClass };
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], response_types: ['code'] }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => ({ ...account }) } : undefined;
    },
  });
  const callback = provider.callback();
  handle = (req, res) => {
    const interaction = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(req.url ?? '');
    if (!interaction) {
      callback(req, res);
      return;
    }
    interact(provider, accounts, req, res, interaction[2]).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  };
  return { issuer, clientId, clientSecret, accounts, stop: () => closeServer(server) };
}

async function interact(
  provider: OidcProviderInstance,
  accounts: Map<string, TestAccount>,
  req: IncomingMessage,
  res: ServerResponse,
  action: string | undefined,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (action === undefined) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
    return;
  }
  if (action === 'abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person declined to sign in.' });
    return;
  }
  const login = new URLSearchParams(await readBody(req)).get('login') ?? '';
  if (!accounts.has(login)) {
    res.statusCode = 401;
    res.end('unknown account');
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on 127.0.0.1 on a port the kernel picks, and returns it (nothing can take it in between). */
function listenOnAnyPort(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error(`unexpected listening address ${String(address)}`));
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A TCP forwarder standing in for the reverse proxy in front of the manager: the manager's public
 * URL must be known before it starts, its port only after. `target` is set once it is up.
 */
export async function startForwarder(): Promise<{ port: number; target: { port: number }; stop(): Promise<void> }> {
  const target = { port: 0 };
  const server = createTcpServer((socket) => {
    const upstream = connect(target.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  const port = await listenOnAnyPort(server);
  return { port, target, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A browser as far as cookies and redirects go: one jar per host:port, every redirect visible to the test. */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** One request carrying this browser's cookies for the URL's origin; redirects are not followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jarOf(target.host);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) this.store(jar, line);
    return response;
  }

  /** Follows redirects (GET) from `url` until one points somewhere `stop` accepts, and returns that location. */
  async followUntil(url: string, stop: (location: URL) => boolean): Promise<URL> {
    let current = new URL(url);
    for (let hop = 0; hop < 10; hop += 1) {
      const response = await this.request(current.href);
      const location = response.headers.get('location');
      if (!location) throw new Error(`${current.href} answered ${response.status} without a redirect: ${await response.text()}`);
      current = new URL(location, current);
      if (stop(current)) return current;
    }
    throw new Error(`too many redirects, last ${current.href}`);
  }

  /** A cookie this browser holds for a host:port. */
  cookie(host: string, name: string): string | undefined {
    return this.jarOf(host).get(name);
  }

  private jarOf(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map<string, string>()));
    return jar;
  }

  private store(jar: Map<string, string>, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const expired = attributes.some(
      (attribute) => /^max-age=0$/i.test(attribute) || (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) < Date.now()),
    );
    if (expired) jar.delete(name);
    else jar.set(name, pair.slice(separator + 1));
  }
}
