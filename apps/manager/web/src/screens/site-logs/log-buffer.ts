export type LogStream = 'stdout' | 'stderr';

/** One complete line of a site's output. `id` only grows, so it keys the line in a list. */
export interface LogLine {
  id: number;
  stream: LogStream;
  text: string;
}

/** Most lines kept: older ones are dropped, so a chatty site cannot fill the browser's memory. */
export const MAX_LOG_LINES = 5_000;

/** A line longer than this is cut into several: one unending line must not grow without bound. */
const MAX_LINE_CHARS = 16_384;

/**
 * Turns the byte chunks of a logs stream into lines: each stream is decoded with its own streaming
 * TextDecoder (a UTF-8 character split between chunks is kept whole) and its unfinished last line
 * waits for the next chunk. Keeps the newest {@link MAX_LOG_LINES} lines.
 */
export class LogBuffer {
  private lines: LogLine[] = [];
  private nextId = 0;
  private readonly decoders: Record<LogStream, TextDecoder> = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(private readonly maxLines = MAX_LOG_LINES) {}

  /** Adds a chunk; answers whether a complete line was added. */
  push(bytes: Uint8Array, stream: LogStream): boolean {
    const text = this.partial[stream] + this.decoders[stream].decode(bytes, { stream: true });
    const pieces = text.split(/\r?\n/);
    let rest = pieces.pop() ?? '';
    while (rest.length > MAX_LINE_CHARS) {
      pieces.push(rest.slice(0, MAX_LINE_CHARS));
      rest = rest.slice(MAX_LINE_CHARS);
    }
    this.partial[stream] = rest;
    if (pieces.length === 0) return false;
    for (const piece of pieces) this.lines.push({ id: this.nextId++, stream, text: piece });
    if (this.lines.length > this.maxLines) this.lines = this.lines.slice(-this.maxLines);
    return true;
  }

  /** The lines so far (a new array each time, so React sees the change). */
  snapshot(): LogLine[] {
    return [...this.lines];
  }

  /** Forgets the lines shown so far (an unfinished line still completes). */
  clear(): void {
    this.lines = [];
  }

  /** Forgets everything, unfinished lines too: a new stream starts clean. */
  reset(): void {
    this.lines = [];
    this.partial.stdout = '';
    this.partial.stderr = '';
    this.decoders.stdout = new TextDecoder();
    this.decoders.stderr = new TextDecoder();
  }
}
