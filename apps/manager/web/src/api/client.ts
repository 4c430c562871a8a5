import { ApiError, apiErrorFrom, asApiError } from './api-error';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The one place the dashboard talks HTTP to the manager: same origin, session cookie, and the
 * session's CSRF token on every request that changes something. A 401 tells the app the session
 * ended (it then shows the sign-in page) instead of each screen handling it.
 */
class ManagerClient {
  private csrfToken: string | null = null;
  private readonly signedOutListeners = new Set<() => void>();

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  /** Headers for a request the caller sends itself (uploads with progress, raw file content). */
  headersFor(method: Method, contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    return headers;
  }

  /** Reads a raw answer (e.g. file content) with the same error handling as JSON calls. */
  async raw(method: Method, path: string, init: { body?: BodyInit; contentType?: string; signal?: AbortSignal } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: this.headersFor(method, init.contentType),
        body: init.body ?? null,
        signal: init.signal ?? null,
      });
    } catch (error) {
      throw asApiError(error);
    }
    if (!response.ok) throw await this.errorOf(response);
    return response;
  }

  /** Reports a 401 from a request made outside this client (an XHR upload). */
  noteUnauthenticated(): void {
    for (const listener of this.signedOutListeners) listener();
  }

  async errorOf(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const error = apiErrorFrom(response.status, body);
    if (response.status === 401 && error.code === 'UNAUTHENTICATED') this.noteUnauthenticated();
    return error;
  }

  private async request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.raw(method, path, {
      ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
      ...(signal ? { signal } : {}),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export const manager = new ManagerClient();
export { ApiError };
