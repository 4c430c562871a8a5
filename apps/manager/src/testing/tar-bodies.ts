import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';

/** One entry of a tar body a peer sends or receives: a file with its text, a folder, or a link. */
export type TarEntry =
  | { name: string; type: 'file'; content: string; mode?: number }
  | { name: string; type: 'directory'; mode?: number }
  | { name: string; type: 'symlink'; target: string };

/** A tar body holding `entries`, as a peer would stream it. */
export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (entry.type === 'file') pack.entry({ name: entry.name, type: 'file', mode: entry.mode ?? 0o644 }, entry.content, done);
      else if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory', mode: entry.mode ?? 0o755 }, done);
      else pack.entry({ name: entry.name, type: 'symlink', linkname: entry.target }, done);
    });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a tar body holds, in order. */
export async function entriesOf(body: AsyncIterable<Uint8Array> | Readable): Promise<TarEntry[]> {
  const extract = tarExtract();
  const input = body instanceof Readable ? body : Readable.from(body);
  input.pipe(extract);
  const entries: TarEntry[] = [];
  for await (const entry of extract) {
    const { name, type, mode, linkname } = entry.header;
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (type === 'directory') entries.push({ name, type, mode });
    else if (type === 'symlink') entries.push({ name, type, target: linkname });
    else entries.push({ name, type: 'file', content: Buffer.concat(chunks).toString('utf8'), mode });
  }
  return entries;
}

/** A peer's streamed answer (what BackupClient.download resolves to): `content` with its headers. */
export function peerAnswer(content: Buffer | string, headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(content)]), { headers }) as unknown as IncomingMessage;
}
