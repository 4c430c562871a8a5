// How fast does a 50 MB file go up and down through the manager's file API (browser → manager →
// orchestrator → site folder, and back)? Beside it, in the same run, the floor: `cp` of the same
// file on the same disk. Usage: npm run bench:files -- [rounds] [megabytes]
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { signRequest, type OperationView } from '@dais/shared';
import { TestStack } from '../test/support/stack';
import { describeConditions, summarize } from './conditions';

const ROUNDS = Number(process.argv[2] ?? 5);
const MEGABYTES = Number(process.argv[3] ?? 50);
const run = promisify(execFile);

const OCTETS = { 'content-type': 'application/octet-stream' };

/**
 * One HTTP exchange with node:http, streaming the request body from a file and/or the answer to a
 * file (so the client's own cost stays small beside the server's).
 */
function transfer(method: string, url: string, headers: Record<string, string>, files: { from?: string; to?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300) {
        response.resume();
        reject(new Error(`${method} ${url} answered ${status}`));
        return;
      }
      const sink = files.to ? createWriteStream(files.to) : new Writable({ write: (_chunk, _encoding, done) => done() });
      pipeline(response, sink).then(resolve, reject);
    });
    request.on('error', reject);
    if (files.from) pipeline(createReadStream(files.from, { highWaterMark: 1 << 20 }), request).catch(reject);
    else request.end();
  });
}

/** Times one transfer of `bytes`, in MB/s (10^6 bytes per second). */
async function timed(bytes: number, transfer: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await transfer();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes / 1e6 / seconds;
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

function line(label: string, samples: number[]): string {
  const s = summarize(samples);
  return `${label.padEnd(28)} median ${s.median.toFixed(1).padStart(7)} MB/s   min ${s.min.toFixed(1).padStart(7)}   max ${s.max.toFixed(1).padStart(7)}`;
}

async function main(): Promise<void> {
  console.log(describeConditions());
  const stack = await TestStack.start('bench-files');
  try {
    const site = await stack.createSite('bench-files');
    await stack.waitForOperation<OperationView>(site.operation?.id ?? 0);
    const source = join(stack.stateDir, 'source.bin');
    const bytes = MEGABYTES * 1_000_000;
    await writeFile(source, randomBytes(bytes));
    const expected = await sha256Of(source);
    const orchestrator = `http://127.0.0.1:${stack.ports.orchestrator}`;
    const manager = `http://127.0.0.1:${stack.ports.manager}/api/sites/${site.id}/files/content?path=/private/big.bin`;
    const auth = { authorization: `Bearer ${stack.adminToken}` };
    const direct = `/v1/sites/${site.id}/files/content`;
    const signer = stack.signer('manager', 'orchestrator');
    const signed = (method: string, path: string) => signRequest(signer, { audience: signer.audience, method, path, body: '' });
    const samples: Record<string, number[]> = {
      'upload via manager': [],
      'download via manager': [],
      'upload to orchestrator': [],
      'download from orchestrator': [],
      'cp, same disk': [],
    };
    const downloaded = join(stack.stateDir, 'downloaded.bin');
    const copy = join(stack.stateDir, 'copy.bin');

    for (let round = 0; round < ROUNDS; round += 1) {
      samples['upload via manager']?.push(await timed(bytes, () => transfer('PUT', manager, { ...auth, ...OCTETS }, { from: source })));
      samples['download via manager']?.push(await timed(bytes, () => transfer('GET', manager, auth, { to: downloaded })));
      if ((await sha256Of(downloaded)) !== expected) throw new Error('the downloaded file differs from the uploaded one');
      // The orchestrator alone (signed as the manager): what the manager's relay adds is the difference.
      const upload = `${direct}?${new URLSearchParams({ path: '/private/direct.bin', overwrite: 'true', sha256: expected, size: String(bytes) }).toString()}`;
      samples['upload to orchestrator']?.push(
        await timed(bytes, () => transfer('PUT', orchestrator + upload, { ...signed('PUT', upload), ...OCTETS }, { from: source })),
      );
      const read = `${direct}?path=/private/direct.bin`;
      samples['download from orchestrator']?.push(
        await timed(bytes, () => transfer('GET', orchestrator + read, signed('GET', read), { to: downloaded })),
      );
      samples['cp, same disk']?.push(await timed(bytes, () => run('cp', [source, copy]).then(() => undefined)));
      if ((await stat(copy)).size !== bytes) throw new Error('cp copied a different size');
      await rm(copy);
      await rm(downloaded);
    }

    console.log(`\n${MEGABYTES} MB file, ${ROUNDS} rounds, loopback, admin token (manager) / manager's key (orchestrator):`);
    for (const [label, values] of Object.entries(samples)) console.log(line(label, values));
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
