// How long from "add a custom domain" (verified by an admin at once) to the first HTTPS answer verified against the ACME server's
// root? Manager API → queue → router route → pre-flight → ACME order (HTTP-01 through the router's
// nginx) → certificate stored → nginx reload → HTTPS 200. Against Pebble on this machine (no network
// latency, no real CA queue: the floor of Dais's own part). Median of N domains.
// Usage: npm run bench:certificates -- [domains]
import type { OperationView, SiteView } from '@dais/shared';
import { addVerifiedDomain } from '../test/support/domains';
import { httpsGet } from '../test/support/https-get';
import { routerEnvFor, startPebble, type Pebble } from '../test/support/pebble';
import { freePort } from '../test/support/ports';
import { TestStack } from '../test/support/stack';
import { describeConditions, summarize } from './conditions';

const DOMAINS = Number(process.argv[2] ?? 10);
const POLL_MS = 25;
const TIMEOUT_MS = 60_000;

/** Polls HTTPS for `hostname` until a verified 200; returns when it came. */
async function firstVerified200(port: number, hostname: string, root: string): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const answer = await httpsGet(port, hostname, root).catch(() => null);
    if (answer?.status === 200) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${hostname}: no verified HTTPS 200 within ${TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<void> {
  console.log(describeConditions());
  const httpsPort = await freePort();
  let pebble: Pebble | undefined;
  const stack = await TestStack.start('bench-certificates', {
    env: { DAIS_ROUTER_HTTPS_PORT: String(httpsPort), DAIS_ACME_EMAIL: 'admin@dais.test' },
    prepare: async ({ ports }) => {
      pebble = await startPebble({ httpPort: ports.edge, validityDays: 90 });
      return routerEnvFor(pebble, ports.edge);
    },
  });
  try {
    const root = await (pebble as Pebble).issuingRoot();
    const samples: number[] = [];
    for (let i = 1; i <= DOMAINS; i++) {
      const created = await stack.api<SiteView>('POST', '/api/sites', { name: `cert${i}` });
      await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0);
      const hostname = `www.cert${i}.test`;
      const started = Date.now();
      // Verified by the admin: from the owner's proof to routing is bench/domain-proof.ts's measurement.
      await addVerifiedDomain(stack, created.json.id, hostname);
      const elapsed = (await firstVerified200(httpsPort, hostname, root)) - started;
      samples.push(elapsed);
      console.log(`${hostname.padEnd(20)} ${elapsed} ms`);
    }
    const s = summarize(samples);
    console.log(
      `\ndomain added → first verified HTTPS 200, ${DOMAINS} domains (one site each, one after another), polling every ${POLL_MS} ms:`,
    );
    console.log(`median ${s.median} ms, p90 ${s.p90} ms, min ${s.min} ms, max ${s.max} ms`);
  } finally {
    await stack.stop();
    await pebble?.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
