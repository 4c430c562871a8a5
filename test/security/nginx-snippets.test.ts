import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkNginxSnippet, tokenizeNginx, updateSiteRequestSchema, type SiteSpec } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorHarness } from '../../apps/orchestrator/test/support/orchestrator-harness';
import { getWithHost } from '../support/http';
import { generateSnippet, KNOWN_ESCAPES, seededRandom } from '../support/nginx-snippet-fuzz';
import { SnippetOracle } from '../support/nginx-snippet-oracle';
import { startPlainNginx } from '../support/plain-nginx';
import { freePort } from '../support/ports';

/** Cases per run: enough to reach every rule, few enough for ~15 s. `bench:snippet-fuzz` runs more. */
const FUZZ_CASES = 1_000;
const FUZZ_SEED = Number(process.env.DAIS_FUZZ_SEED ?? 20261207);

const staticSite = (id: number, name: string, nginx: SiteSpec['nginx'] = {}, availability: SiteSpec['availability'] = 'enabled') => ({
  id,
  name,
  type: 'static' as const,
  availability,
  hostnames: [`${name}.dais.localhost`],
  nginx,
});

describe('admin nginx snippets cannot leave the site’s server block (real orchestrator, real nginx)', () => {
  let orchestrator: OrchestratorHarness;

  beforeAll(async () => {
    orchestrator = await OrchestratorHarness.start('docker');
    expect((await orchestrator.put(staticSite(1, 'victim'))).status).toBe(200);
    await writeFile(join(orchestrator.siteDir(1), 'public', 'index.html'), 'the victim’s own page');
  });

  afterAll(async () => {
    await orchestrator.destroy();
  });

  /** The attack: an admin snippet on site 2 that closes its server block and takes the victim's hostname. */
  const HIJACK = (port: number) =>
    `set $x a#; } server { listen 127.0.0.1:${port}; server_name victim.dais.localhost; return 200 "owned"; } server {`;

  it('refuses the "#"-inside-a-word escape that balanced braces for the old validator, and the victim keeps its page', async () => {
    const answer = await orchestrator.put(staticSite(2, 'attacker', { snippet: HIJACK(orchestrator.sitesPort) }));
    const page = await orchestrator.visit('victim.dais.localhost');
    expect(page.body).toBe('the victim’s own page');
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'NGINX_SNIPPET_INVALID' } });
    expect(JSON.stringify(answer.json)).toContain('would close the site’s server block');
    expect((await orchestrator.visit('attacker.dais.localhost')).status).toBe(404);
  });

  it('is refused by the manager’s API contract too (the same schema), before anything is queued', () => {
    const parsed = updateSiteRequestSchema.safeParse({ nginx: { snippet: HIJACK(80) } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('NGINX_SNIPPET_INVALID');
  });

  it.each([
    ['overwrite the platform’s root variable', 'set $dais_site_root /;', '/etc/passwd'],
    ['read request data into a file path (try_files)', 'location /x { try_files /$arg_f =404; }', '/x?f=../../../../../../etc/passwd'],
    ['read request data into a file path (rewrite)', 'location /x { rewrite ^ /$arg_f break; }', '/x?f=../../../../../../etc/passwd'],
    ['set a variable through a named regex group', 'location ~ ^/(?<dais_site_root>/etc)/(.*)$ { try_files /$2 =404; }', '/etc/passwd'],
    ['include a host file', 'include /etc/passwd;', '/'],
    ['serve another folder', 'location /etc/ { alias /etc/; }', '/etc/passwd'],
    ['write a log file on the host', 'access_log /tmp/dais-owned.log;', '/'],
    ['reach the host’s own services', 'location /x { proxy_pass http://127.0.0.1:22; }', '/x'],
    ['run code in nginx', 'location /x { content_by_lua_block { ngx.say(io.open("/etc/passwd"):read("*a")); } }', '/x'],
  ])('refuses a snippet that would %s', async (_label, snippet, path) => {
    const answer = await orchestrator.put(staticSite(3, 'probe', { snippet }));
    const page = await orchestrator.visit('probe.dais.localhost', path);
    expect(page.body).not.toContain('root:x:0:0');
    expect(answer.status, JSON.stringify(answer.json)).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'NGINX_SNIPPET_INVALID' } });
  });

  it('serves nothing from nginx’s own folder through a snippet location on a site without a root', async () => {
    // A site that is not served has no root; before, nginx read "" as its prefix (config, logs).
    const answer = await orchestrator.put(staticSite(4, 'paused', { snippet: 'location /logs/ { } location /conf/ { }' }, 'not_served'));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    for (const path of ['/logs/error.log', '/conf/live/nginx.conf']) {
      const page = await orchestrator.visit('paused.dais.localhost', path);
      expect(page.status).toBe(404);
      expect(page.body).not.toContain('generation');
    }
  });

  it('applies an accepted snippet as re-emitted from its tokens', async () => {
    const snippet = 'location = /hello { add_header X-Said \'it\\\'s "ok"\' always; return 200 "hi from $host"; } # done';
    expect((await orchestrator.put(staticSite(5, 'greeter', { snippet }))).status).toBe(200);
    const page = await orchestrator.visit('greeter.dais.localhost', '/hello');
    expect(page.body).toBe('hi from greeter.dais.localhost');
    expect(page.headers['x-said']).toBe('it\'s "ok"');
  });
});

describe('the snippet validator under fuzzing (nginx judges every accepted snippet)', () => {
  let oracle: SnippetOracle;

  beforeAll(async () => {
    oracle = await SnippetOracle.create();
  });

  afterAll(async () => {
    await oracle.close();
  });

  it('the oracle itself catches the escapes: raw, they fail nginx -t or leave the server block', async () => {
    for (const escape of KNOWN_ESCAPES.slice(0, 10)) expect((await oracle.judge([escape])).ok, escape).toBe(false);
    expect((await oracle.judge(['add_header X-Fine yes;'])).ok).toBe(true);
  });

  it('refuses every known escape as written', () => {
    for (const escape of KNOWN_ESCAPES) expect(checkNginxSnippet(escape).ok, escape).toBe(false);
  });

  it(`accepts only snippets that pass nginx -t inside exactly one server block (${FUZZ_CASES} seeded cases)`, async () => {
    const accepted: { index: number; lines: string[] }[] = [];
    for (let index = 0; index < FUZZ_CASES; index++) {
      const check = checkNginxSnippet(generateSnippet(FUZZ_SEED, index));
      if (check.ok) accepted.push({ index, lines: check.lines });
    }
    // A fuzz run that accepts almost nothing proves almost nothing.
    expect(accepted.length).toBeGreaterThan(FUZZ_CASES * 0.1);
    const failures: string[] = [];
    const judgeFrom = async (slot: number, queue: typeof accepted) => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const verdict = await oracle.judge(next.lines, slot);
        if (!verdict.ok) failures.push(`seed ${FUZZ_SEED} case ${next.index}: ${JSON.stringify(next.lines)}\n${verdict.output}`);
      }
    };
    const queue = [...accepted];
    await Promise.all([judgeFrom(0, queue), judgeFrom(1, queue)]);
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('the tokenizer reads words as nginx does (differential, real nginx)', () => {
  const ALPHABET = ['a', 'b', ' ', '"', "'", '\\', '#', '}', '{', ';', '(', ')', '\n', '\t', 't', 'n', 'r'];

  it('gives the value nginx answers with, for random words of quotes, escapes, comments and braces', async () => {
    const random = seededRandom(FUZZ_SEED);
    const cases: { path: string; value: string; raw: string }[] = [];
    for (let index = 0; cases.length < 300 && index < 5_000; index++) {
      const raw = `x${Array.from({ length: 1 + Math.floor(random() * 8) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('')}`;
      const quoted = random() < 0.5 ? raw : `"${raw}"`;
      let tokens: ReturnType<typeof tokenizeNginx>;
      try {
        tokens = tokenizeNginx(`return 200 ${quoted};`);
      } catch {
        continue;
      }
      const [, , word, end, ...rest] = tokens;
      if (tokens.length !== 4 || word?.kind !== 'word' || end?.kind !== ';' || rest.length > 0) continue;
      cases.push({ path: `/t${cases.length}`, value: word.value, raw: quoted });
    }
    expect(cases.length).toBeGreaterThan(100);
    const port = await freePort();
    const nginx = await startPlainNginx(
      'tokenizer-differential',
      () => `    server {
        listen 127.0.0.1:${port};
${cases.map((entry) => `        location = ${entry.path} {\n            return 200 ${entry.raw};\n        }`).join('\n')}
    }`,
    );
    try {
      for (const entry of cases) {
        const page = await getWithHost(port, 'differential', entry.path);
        expect(page.body, `raw ${JSON.stringify(entry.raw)}`).toBe(entry.value);
      }
    } finally {
      await nginx.stop();
    }
  });
});
