import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { dockerFailure } from './docker-util';

/** Callbacks of {@link followContainerLogs}. */
export interface LogOutput {
  onData(data: Buffer, stderr: boolean): void;
  /** The stream ended: the container stopped or was removed. */
  onEnd(): void;
}

/** Where a log stream starts: the last `tail` lines, or everything since a time (unix seconds). */
export type LogStart = { tail: number } | { since: number };

/** Follows a container's output (stdout and stderr apart). Returns a function that stops following. */
export async function followContainerLogs(docker: Docker, containerId: string, start: LogStart, output: LogOutput): Promise<() => void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getContainer(containerId).logs({ follow: true, stdout: true, stderr: true, ...start });
  } catch (error) {
    throw dockerFailure('follow the container logs', error);
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => output.onData(chunk, false));
  stderr.on('data', (chunk: Buffer) => output.onData(chunk, true));
  docker.modem.demuxStream(stream, stdout, stderr);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    output.onEnd();
  };
  stream.once('end', end);
  stream.once('close', end);
  stream.once('error', end);
  return () => {
    ended = true;
    (stream as { destroy?: () => void }).destroy?.();
  };
}
