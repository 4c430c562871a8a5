// Fuzzes the admin nginx snippet validator at scale: every generated snippet it accepts must pass
// `nginx -t` in the site's rendered server block and leave that block the only server it is in
// (SnippetOracle). The integration test runs a few hundred cases; this runs as many as asked.
// Usage: npm run bench:snippet-fuzz -- [cases] [seed] [parallel nginx -t]
import { checkNginxSnippet } from '@dais/shared';
import { generateSnippet } from '../test/support/nginx-snippet-fuzz';
import { SnippetOracle } from '../test/support/nginx-snippet-oracle';

const CASES = Number(process.argv[2] ?? 20_000);
const SEED = Number(process.argv[3] ?? Date.now() % 1_000_000);
const PARALLEL = Number(process.argv[4] ?? 2);

async function main(): Promise<void> {
  const oracle = await SnippetOracle.create();
  const started = Date.now();
  const failures: { index: number; snippet: string; lines: string[]; output: string }[] = [];
  const rules = new Map<string, number>();
  let accepted = 0;
  let next = 0;
  const worker = async (slot: number): Promise<void> => {
    while (next < CASES) {
      const index = next++;
      const snippet = generateSnippet(SEED, index);
      const check = checkNginxSnippet(snippet);
      if (!check.ok) {
        rules.set(check.rule, (rules.get(check.rule) ?? 0) + 1);
        continue;
      }
      accepted++;
      const verdict = await oracle.judge(check.lines, slot);
      if (!verdict.ok) failures.push({ index, snippet, lines: check.lines, output: verdict.output });
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, (_, slot) => worker(slot)));
  } finally {
    await oracle.close();
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`seed ${SEED}: ${CASES} snippets in ${seconds.toFixed(1)} s; ${accepted} accepted, all judged by nginx`);
  console.log(`refused by rule: ${JSON.stringify(Object.fromEntries([...rules].sort((a, b) => b[1] - a[1])))}`);
  for (const failure of failures.slice(0, 20)) console.log(JSON.stringify(failure, null, 2));
  console.log(failures.length === 0 ? 'no accepted snippet failed nginx -t or left its server block' : `${failures.length} FAILURES`);
  if (failures.length > 0) process.exitCode = 1;
}

void main();
