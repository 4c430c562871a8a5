import { request } from 'node:http';

/** Reads the generation an nginx instance is serving from its loopback status endpoint. */
export class StatusProbe {
  constructor(private readonly port: number) {}

  /** The generation the instance answers with now, or null if it does not answer. */
  async servedGeneration(): Promise<number | null> {
    return new Promise((resolve) => {
      // agent: false → a new connection each time, so an old worker's keep-alive socket cannot answer.
      const req = request({ host: '127.0.0.1', port: this.port, path: '/generation', agent: false, timeout: 1_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 && /^\d+$/.test(body) ? Number(body) : null));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(null));
      req.end();
    });
  }

  /**
   * Waits until the instance serves `generation`. Resolves `{ ok: false, reason }` on timeout or
   * as soon as `failureCheck` reports why it never will (e.g. an `[emerg]` in the error log).
   */
  async waitFor(
    generation: number,
    timeoutMs: number,
    failureCheck?: () => Promise<string | null>,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.servedGeneration()) === generation) return { ok: true };
      const failure = await failureCheck?.();
      if (failure) return { ok: false, reason: failure };
      if (Date.now() >= deadline)
        return { ok: false, reason: `nginx did not start serving generation ${generation} within ${timeoutMs} ms` };
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
}
