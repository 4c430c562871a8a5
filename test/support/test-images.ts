import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';

/**
 * Builds a local image for a test from in-memory files (a `Dockerfile` among them) with the classic
 * builder; no registry is involved. Resolves the tag.
 */
export async function buildTestImage(
  docker: Docker,
  tag: string,
  files: Record<string, string | Buffer>,
  labels: Record<string, string> = {},
): Promise<string> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: name === 'Dockerfile' ? 0o644 : 0o755 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const stream = await docker.buildImage(Readable.from([Buffer.concat(chunks)]), { t: tag, labels });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
  return tag;
}
