import type { ApiAnswer } from './stack';

/**
 * A browser signed in to the manager: keeps the cookies the manager sets and echoes the CSRF
 * token on state-changing requests, the way the dashboard will.
 */
export class BrowserSession {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | null = null;

  constructor(private readonly baseUrl: string) {}

  /** Signs in with a password; returns the raw answer (so tests can check refusals too). */
  async login(username: string, password: string, headers: Record<string, string> = {}): Promise<ApiAnswer<{ csrfToken?: string }>> {
    const answer = await this.request<{ csrfToken?: string }>('POST', '/api/auth/login', { username, password }, { headers });
    if (answer.status === 200) this.csrfToken = answer.json.csrfToken ?? null;
    return answer;
  }

  /** The Cookie header this browser would send. */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends a request with the cookies (and, unless told otherwise, the CSRF header). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T> & { setCookies: string[] }> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader;
    if (options.csrf !== false && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', ...value] = pair.split('=');
      const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute)) || value.join('=') === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, json: json as T, setCookies };
  }
}
