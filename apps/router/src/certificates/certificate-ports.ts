/**
 * The seams between certificate issuance (ACME orders, storage, nginx) and the policies that keep
 * it safe (rate budget, reachability pre-flight, retry timing). Each side is built and tested on
 * its own; `router.ts` wires the real implementations together.
 */

/** Where HTTP-01 answers live: files the router's nginx serves at `/.well-known/acme-challenge/<token>`. */
export interface ChallengeStore {
  /** Publishes `content` under `token` (token: base64url characters only, else a DaisError). */
  put(token: string, content: string): Promise<void>;
  /** Withdraws a token; withdrawing an unknown token is not an error. */
  remove(token: string): Promise<void>;
}

/** The answer of an {@link IssuanceBudget}: go ahead, or wait until `retryAt` for `reason`. */
export type BudgetDecision = { allowed: true } | { allowed: false; retryAt: Date; reason: string };

/**
 * Keeps orders under the ACME server's published rate limits (Let's Encrypt: certificates per
 * registered domain per week, failed validations per hostname per hour), with a margin. Its
 * counts survive restarts, or a restart would reset the limits it protects.
 */
export interface IssuanceBudget {
  /** May a certificate for these hostnames be ordered at `now`? If not, until when it waits and why. */
  check(hostnames: readonly string[], now: Date): BudgetDecision;
  /** An order is about to be placed with the ACME account at `now` (counts against new orders per account). */
  recordOrderCreated(now: Date): Promise<void>;
  /** A certificate for these hostnames was issued at `now`. */
  recordIssued(hostnames: readonly string[], now: Date): Promise<void>;
  /** The ACME server failed to validate `hostname` at `now`. */
  recordFailedValidation(hostname: string, now: Date): Promise<void>;
}

/**
 * Checks, before an order, that a hostname's DNS leads to this router: it publishes a random
 * token in the {@link ChallengeStore} and fetches it over HTTP the way the ACME server will.
 * Rejects with `DaisError('DOMAIN_UNREACHABLE', …)` whose message tells the owner what to fix,
 * e.g. "shop.example.org does not reach this router (no A/AAAA record): point a CNAME or A record at edge.example.org."
 */
export interface ReachabilityProbe {
  check(hostname: string): Promise<void>;
}
