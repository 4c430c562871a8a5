// How long from `POST /api/sites` until the site's first 200 through the router?
// Runs a whole stack (real PostgreSQL, Redis, nginx ×2, manager, orchestrator, router), creates
// RUNS sites one after another and prints the median. Usage: npm run bench -- [runs] [static|dynamic]
import { TestStack } from '../test/support/stack';
import { describeConditions, summarize } from './conditions';

const RUNS = Number(process.argv[2] ?? 20);
/** `static` (files served by nginx) or `dynamic` (a busybox container serving the same page). */
const KIND = process.argv[3] === 'dynamic' ? 'dynamic' : 'static';

async function firstOk(stack: TestStack, hostname: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await stack.visit(hostname)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${hostname} never answered 200`);
}

async function main(): Promise<void> {
  const stack = await TestStack.start('bench', { env: { DAIS_LOG_LEVEL: 'error' } });
  const samples: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const name = `bench${i}`;
      const started = performance.now();
      const answer = await stack.api('POST', '/api/sites', KIND === 'dynamic' ? { name, type: 'dynamic', image: 'busybox' } : { name });
      if (answer.status !== 202) throw new Error(`POST /api/sites answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      await firstOk(stack, `${name}.dais.localhost`, 30_000);
      samples.push(performance.now() - started);
    }
  } finally {
    await stack.stop();
  }
  const stats = summarize(samples);
  console.log(`benchmark: POST /api/sites → first 200 through the router (${KIND} site)`);
  console.log(describeConditions());
  console.log(`runs:     ${RUNS}, one at a time, polling the router every 5 ms`);
  console.log(
    `result:   median ${stats.median.toFixed(0)} ms, p90 ${stats.p90.toFixed(0)} ms, min ${stats.min.toFixed(0)} ms, max ${stats.max.toFixed(0)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
