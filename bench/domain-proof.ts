// How long from publishing a custom domain's TXT record to the domain being served? The owner adds
// the domain, goes to their DNS provider, publishes `_dais-challenge.<hostname>`, and either waits
// for the periodic check or clicks "Check now". Whole stack with the default check settings
// (DAIS_DOMAIN_CHECK_INTERVAL_MS 30 s unless given), a private BIND as the domains' nameserver.
// "Served" = a GET through the router with that Host answers 200 (polled every 25 ms).
// Usage: npm run bench:domains -- [domains waiting for the periodic check] [domains checked at once] [interval ms]
import type { DomainView, SiteView } from '@dais/shared';
import { startBindDns } from '../test/support/bind-dns';
import { claimDomain, type DomainChange } from '../test/support/domains';
import { TestStack } from '../test/support/stack';
import { describeConditions, summarize } from './conditions';

const WAITING = Number(process.argv[2] ?? 10);
const CHECKED = Number(process.argv[3] ?? 5);
const INTERVAL_MS = Number(process.argv[4] ?? 30_000);
const POLL_MS = 25;
const TIMEOUT_MS = 4 * INTERVAL_MS + 30_000;

/** Polls the router as `hostname` until it answers 200; returns when. */
async function firstServed(stack: TestStack, hostname: string): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const answer = await stack.visit(hostname).catch(() => null);
    if (answer?.status === 200) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${hostname}: not served within ${TIMEOUT_MS / 1000} s of publishing its record`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function report(label: string, samples: number[]): void {
  const s = summarize(samples);
  console.log(`${label}: n=${samples.length}, median ${Math.round(s.median)} ms, p90 ${s.p90} ms, min ${s.min} ms, max ${s.max} ms`);
}

async function main(): Promise<void> {
  console.log(describeConditions());
  const dns = await startBindDns();
  const stack = await TestStack.start('bench-domains', {
    env: { DAIS_DOMAIN_DNS_SERVERS: dns.server, DAIS_DOMAIN_CHECK_INTERVAL_MS: String(INTERVAL_MS) },
  });
  try {
    const site = await stack.createSite('proofs');
    await stack.waitForOperation(site.operation?.id ?? 0);
    const publish = (domain: DomainView) =>
      dns.publishTxt(domain.verification.record?.name ?? '', [domain.verification.record?.value ?? '']);

    // Owners publish at moments spread over one interval after adding (where the periodic check stands varies).
    const waiting = await Promise.all(
      Array.from({ length: WAITING }, async (_, i) => {
        const domain = await claimDomain(stack, site.id, `wait${i}.proofs.test`);
        await sleep(Math.round(((i + 0.5) * INTERVAL_MS) / WAITING));
        const published = Date.now();
        await publish(domain);
        const elapsed = (await firstServed(stack, domain.hostname)) - published;
        console.log(`${domain.hostname.padEnd(24)} periodic check   ${elapsed} ms`);
        return elapsed;
      }),
    );

    const checked: number[] = [];
    for (let i = 0; i < CHECKED; i++) {
      const domain = await claimDomain(stack, site.id, `now${i}.proofs.test`);
      const published = Date.now();
      await publish(domain);
      const answer = await stack.api<DomainChange>('POST', `/api/sites/${site.id}/domains/${domain.id}/check`);
      if (answer.json.domain.verification.method !== 'dns') throw new Error(`Check now did not verify: ${JSON.stringify(answer.json)}`);
      const elapsed = (await firstServed(stack, domain.hostname)) - published;
      checked.push(elapsed);
      console.log(`${domain.hostname.padEnd(24)} Check now        ${elapsed} ms`);
    }

    console.log(`\nrecord published → served (DAIS_DOMAIN_CHECK_INTERVAL_MS ${INTERVAL_MS}):`);
    report('waiting for the periodic check', waiting);
    report('Check now', checked);
    // Every domain ends active once the operations routing them have finished.
    const deadline = Date.now() + 60_000;
    let views = (await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json.domains;
    while (views.some((domain) => domain.status !== 'active') && Date.now() < deadline) {
      await sleep(200);
      views = (await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json.domains;
    }
    const states = views.map((domain) => `${domain.hostname}=${domain.status}`);
    if (views.some((domain) => domain.status !== 'active')) throw new Error(`not every domain became active: ${states.join(', ')}`);
    console.log(`all ${views.length} domains active`);
  } finally {
    await stack.stop();
    await dns.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
