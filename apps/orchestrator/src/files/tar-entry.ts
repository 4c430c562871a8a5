import { once } from 'node:events';
import type { Header, Pack } from 'tar-stream';

/** Adds one entry to a tar pack from chunks, waiting on the pack's back-pressure; resolves when the entry is complete. */
export async function writeTarEntry(
  pack: Pack,
  header: Partial<Header> & Pick<Header, 'name'>,
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<void> {
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const sink = pack.entry(header, (error) => (error ? settle?.reject(error) : settle?.resolve()));
  for await (const chunk of chunks) {
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  sink.end(undefined);
  await written;
}
