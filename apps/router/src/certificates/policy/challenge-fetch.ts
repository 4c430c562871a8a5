import { request } from 'node:http';
import type { ResolvedAddress } from './address-lookup';

/** One HTTP-01 style request: to `target` (never re-resolved), for `path`, with `Host: hostname`. */
export interface ChallengeRequest {
  target: ResolvedAddress;
  port: number;
  hostname: string;
  path: string;
  timeoutMs: number;
}

/** What came back from one address. */
export type ChallengeAnswer =
  | { kind: 'answered'; status: number; body: string; location: string | null }
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; code: string };

/** Fetches a challenge URL from one address. */
export interface ChallengeFetcher {
  fetch(input: ChallengeRequest): Promise<ChallengeAnswer>;
}

/** A key authorization is ~90 bytes: reading more than this only tells us it is not ours. */
const MAX_BODY_BYTES = 4096;

/**
 * Plain `node:http`, one connection per request, redirects never followed (a redirect is itself
 * an answer from whatever server holds the address), the body read up to a small cap, the whole
 * exchange bounded by one deadline.
 */
export class HttpChallengeFetcher implements ChallengeFetcher {
  fetch(input: ChallengeRequest): Promise<ChallengeAnswer> {
    return new Promise((resolve) => {
      const signal = AbortSignal.timeout(input.timeoutMs);
      const req = request({
        host: input.target.address,
        family: input.target.family,
        port: input.port,
        path: input.path,
        method: 'GET',
        headers: { host: input.hostname, 'user-agent': 'Dais-preflight/1 (checks a domain reaches this router)', accept: '*/*' },
        agent: false,
        signal,
      });
      req.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (): void => {
          const location = response.headers.location ?? null;
          resolve({ kind: 'answered', status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location });
        };
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
          else {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        // Headers arrived, so the server answered; a body cut short is still "not our token".
        response.on('error', done);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (signal.aborted) resolve({ kind: 'timeout' });
        else if (error.code === 'ECONNREFUSED') resolve({ kind: 'refused' });
        else if (error.code === 'ETIMEDOUT') resolve({ kind: 'timeout' });
        else resolve({ kind: 'unreachable', code: error.code ?? error.message });
      });
      req.end();
    });
  }
}
