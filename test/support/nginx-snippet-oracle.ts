import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SiteSpec } from '@dais/shared';
import { renderSitesConfig } from '../../apps/orchestrator/src/nginx/sites-config.render';
import { selfSignedCertificate } from '../../apps/router/test/support/self-signed-certificate';
import { tempDir } from './temp-dir';

const run = promisify(execFile);
/** Stands in for the snippet in the rendered config, then is replaced by the lines being judged. */
const PLACEHOLDER = 'gzip_vary on;';

/** nginx's verdict on one snippet placed in a site's server block. */
export interface OracleVerdict {
  /** `nginx -t` passed and the snippet stayed inside its server block. */
  ok: boolean;
  /** What nginx printed (errors and warnings). */
  output: string;
}

/**
 * Asks nginx itself whether a snippet loads and stays inside the site's own `server` block. The
 * snippet is rendered by the real orchestrator renderer (so `nginx -t` runs "in isolation", as the
 * orchestrator does before accepting a spec), with a probe only nginx's own parse can pass: the
 * server gets a `listen … ssl` before the snippet and its certificate after it. If the snippet
 * closes the server early, whatever it opens next gets the certificate and the site's server is
 * left with an ssl listener without one, which nginx refuses ("no ssl_certificate is defined").
 * `ssl_reject_handshake off` before the snippet stops a snippet from lifting that requirement
 * (nginx refuses the duplicate). A `server` cannot be nested, so a snippet that passes is inside
 * exactly one server block: the site's.
 */
export class SnippetOracle {
  private constructor(
    private readonly root: string,
    private readonly certificate: { cert: string; key: string },
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async create(): Promise<SnippetOracle> {
    const dir = await tempDir('snippet-oracle');
    const pair = selfSignedCertificate(['fuzz.dais.test']);
    const certificate = { cert: join(dir.path, 'cert.pem'), key: join(dir.path, 'key.pem') };
    await writeFile(certificate.cert, pair.fullchainPem);
    await writeFile(certificate.key, pair.keyPem, { mode: 0o600 });
    return new SnippetOracle(dir.path, certificate, () => dir.remove());
  }

  /**
   * Judges snippet lines as they would reach nginx (normally `renderNginxSnippet`'s output; raw
   * text to show what an unchecked snippet does), in the folder of worker `slot` (one at a time).
   */
  async judge(lines: readonly string[], slot = 0): Promise<OracleVerdict> {
    const prefix = join(this.root, `slot-${slot}`);
    for (const folder of ['logs', 'temp', 'run']) await mkdir(join(prefix, folder), { recursive: true });
    const files = this.render(lines, prefix);
    for (const [name, content] of Object.entries(files)) await writeFile(join(prefix, name), content);
    try {
      const { stderr } = await run('nginx', ['-t', '-q', '-p', prefix, '-e', 'stderr', '-c', join(prefix, 'nginx.conf')], {
        timeout: 30_000,
      });
      return { ok: true, output: stderr.trim() };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr ?? error).trim() };
    }
  }

  async close(): Promise<void> {
    await this.cleanup();
  }

  private render(lines: readonly string[], prefix: string): Record<string, string> {
    const spec: SiteSpec = {
      id: 1,
      name: 'fuzz',
      type: 'static',
      availability: 'enabled',
      hostnames: ['fuzz.dais.test'],
      runtime: null,
      nginx: { snippet: PLACEHOLDER },
      diskLimitMb: 1024,
    };
    const files = renderSitesConfig({
      prefix,
      generation: 1,
      statusPort: 1,
      listen: { host: '127.0.0.1', port: 8080 },
      sitesRoot: prefix,
      publicDirOf: () => join(prefix, 'public'),
      endpointsOf: () => [],
      sites: [spec],
    });
    const marker = `        # admin snippet for site 1\n        ${PLACEHOLDER}\n`;
    const conf = files['nginx.conf'] ?? '';
    const start = conf.indexOf(marker);
    if (start === -1) throw new Error('the rendered config has no snippet where the oracle expects it');
    const end = start + marker.length;
    const snippet = lines.map((line) => `        ${line}\n`).join('');
    const before = '        listen 0.0.0.0:8443 ssl;\n        ssl_reject_handshake off;\n';
    const after = `        ssl_certificate ${this.certificate.cert};\n        ssl_certificate_key ${this.certificate.key};\n`;
    return {
      ...files,
      'nginx.conf': `${conf.slice(0, start)}${before}        # admin snippet for site 1\n${snippet}${after}${conf.slice(end)}`,
    };
  }
}
