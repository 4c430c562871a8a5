import { verify, type KeyObject } from 'node:crypto';
import { DaisError } from '../errors/dais-error';
import { canonicalString, SIGNATURE_HEADERS } from './canonical';
import type { NonceStore } from './nonce-store';
import { isRouteAllowed, type RouteRule } from './route-allowlist';

/** A component this receiver accepts requests from, and where it may go. */
export interface TrustedCaller {
  id: string;
  publicKey: KeyObject;
  allowedRoutes: readonly RouteRule[];
}

/** The parts of an incoming request the verifier looks at. */
export interface IncomingSignedRequest {
  method: string;
  /** Path and query exactly as received on the request line. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array | string;
}

/** Settings for {@link RequestVerifier}. */
export interface RequestVerifierOptions {
  /** This receiver's own id: requests addressed to anyone else are refused. */
  selfId: string;
  callers: readonly TrustedCaller[];
  /**
   * Where accepted nonces are remembered. Every process that answers for `selfId` must share it
   * (the manager's API processes share Redis; an orchestrator's file outlives its restarts).
   */
  nonces: NonceStore;
  /** Largest accepted clock difference in either direction (default 60 s). */
  maxSkewMs?: number;
  now?: () => number;
}

const NONCE_FORMAT = /^[A-Za-z0-9_-]{16,64}$/;
const TIMESTAMP_FORMAT = /^[0-9]{1,16}$/;

/**
 * Checks that a request was signed by a known caller, for this receiver, recently, once, and that
 * the caller may use the route. Rejects with a coded 401/403 DaisError otherwise (503 when the nonce store cannot answer).
 */
export class RequestVerifier {
  private readonly callers: ReadonlyMap<string, TrustedCaller>;
  private readonly maxSkewMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RequestVerifierOptions) {
    this.callers = new Map(options.callers.map((caller) => [caller.id, caller]));
    this.maxSkewMs = options.maxSkewMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Verifies the request and resolves with the caller's id. */
  async verify(request: IncomingSignedRequest): Promise<string> {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? undefined : value;
    };
    const caller = header(SIGNATURE_HEADERS.caller);
    const audience = header(SIGNATURE_HEADERS.audience);
    const timestamp = header(SIGNATURE_HEADERS.timestamp);
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const signature = header(SIGNATURE_HEADERS.signature);
    if (!caller || !audience || !timestamp || !nonce || !signature) {
      throw new DaisError('SIGNATURE_MISSING', 'This endpoint only accepts signed requests from Dais components.');
    }
    const trusted = this.callers.get(caller);
    if (!trusted) throw new DaisError('CALLER_UNKNOWN', `Unknown caller "${caller.slice(0, 40)}".`);
    if (audience !== this.options.selfId) {
      throw new DaisError('AUDIENCE_MISMATCH', 'The request was signed for a different component.');
    }
    if (!TIMESTAMP_FORMAT.test(timestamp) || !NONCE_FORMAT.test(nonce)) {
      throw new DaisError('SIGNATURE_INVALID', 'Malformed signature headers.');
    }
    const canonical = canonicalString({
      method: request.method,
      path: request.path,
      caller,
      audience,
      timestamp,
      nonce,
      body: request.body,
    });
    if (!verify(null, Buffer.from(canonical), trusted.publicKey, Buffer.from(signature, 'base64url'))) {
      throw new DaisError('SIGNATURE_INVALID', 'The request signature does not match.');
    }
    const now = this.now();
    const sentAt = Number(timestamp);
    if (Math.abs(now - sentAt) > this.maxSkewMs) {
      throw new DaisError('SIGNATURE_EXPIRED', "The request timestamp is too far from this server's clock; check both clocks.");
    }
    // Only verified requests reach the nonce store, so forgeries cannot fill it.
    if (!(await this.options.nonces.remember(`request:${caller}:${nonce}`, sentAt + this.maxSkewMs, now))) {
      throw new DaisError('SIGNATURE_REPLAYED', 'This request was already received once.');
    }
    if (!isRouteAllowed(trusted.allowedRoutes, request.method, request.path)) {
      throw new DaisError(
        'ROUTE_FORBIDDEN',
        `Caller "${caller}" may not use ${request.method.toUpperCase()} ${request.path.split('?', 1)[0] ?? ''}.`,
      );
    }
    return caller;
  }
}
