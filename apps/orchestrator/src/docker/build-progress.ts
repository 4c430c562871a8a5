import { StringDecoder } from 'node:string_decoder';

/** What one piece of Docker's JSON progress stream (build or pull) means to a reader. */
export type BuildProgress =
  /** A line of output, ready to show. */
  | { kind: 'line'; line: string }
  /** Docker gave up; the message says why. */
  | { kind: 'error'; message: string };

/** Lines longer than this are cut: a build log is for people, and a runaway line must not grow memory. */
export const MAX_LINE_LENGTH = 2_000;

const ESC = String.fromCharCode(0x1b);
// Docker colours a step's stderr red with ANSI escapes; the reader is a browser or a log, not a terminal.
const ANSI_ESCAPE = new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]`, 'g');
// Every other control character but tab would garble whatever shows the line.
const CONTROL = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}${String.fromCharCode(11)}-${String.fromCharCode(31)}${String.fromCharCode(127)}]`,
  'g',
);

interface ProgressMessage {
  stream?: unknown;
  status?: unknown;
  id?: unknown;
  progressDetail?: { current?: unknown; total?: unknown };
  error?: unknown;
  errorDetail?: { message?: unknown };
}

/**
 * Re-cuts text that arrives in arbitrary pieces (a build's output) at line ends into clean lines;
 * a line that grows past {@link MAX_LINE_LENGTH} without ending is cut there.
 */
class LineCutter {
  private pending = '';

  push(piece: string): string[] {
    this.pending += piece;
    const cut = Math.max(this.pending.lastIndexOf('\n'), this.pending.lastIndexOf('\r'));
    if (cut < 0) return this.pending.length <= MAX_LINE_LENGTH ? [] : this.flush();
    const complete = this.pending.slice(0, cut + 1);
    this.pending = this.pending.slice(cut + 1);
    return lines(complete);
  }

  flush(): string[] {
    const text = this.pending;
    this.pending = '';
    return text.length > 0 ? lines(text + '\n') : [];
  }
}

/**
 * Reads Docker's progress stream: one JSON object per line, arriving in arbitrary chunks. `stream`
 * text (a build's output) comes in pieces that are re-cut at line ends; `status` messages (a pull)
 * become lines, except the progress-bar updates; `error`/`errorDetail` becomes an error.
 */
export class BuildProgressParser {
  private readonly decoder = new StringDecoder('utf8');
  /** Raw bytes of a JSON line not yet complete. */
  private pendingJson = '';
  /** Build output not yet ended by a newline. */
  private readonly text = new LineCutter();

  /** Feeds the next chunk; returns what it completed. */
  push(chunk: Buffer | string): BuildProgress[] {
    this.pendingJson += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const rawLines = this.pendingJson.split('\n');
    this.pendingJson = rawLines.pop() ?? '';
    return rawLines.flatMap((raw) => this.message(raw));
  }

  /** The stream ended: returns whatever was still pending. */
  end(): BuildProgress[] {
    const rest = this.pendingJson + this.decoder.end();
    this.pendingJson = '';
    return [...this.message(rest), ...asLines(this.text.flush())];
  }

  private message(raw: string): BuildProgress[] {
    const trimmed = raw.trim();
    if (trimmed.length === 0) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Not JSON (an old engine, a proxy's error page): still worth showing.
      return asLines(lines(trimmed + '\n'));
    }
    if (typeof parsed !== 'object' || parsed === null) return [];
    const message = parsed as ProgressMessage;
    const error = errorOf(message);
    if (error !== null) return [...asLines(this.text.flush()), { kind: 'error', message: error }];
    if (typeof message.stream === 'string') return asLines(this.text.push(message.stream));
    if (typeof message.status === 'string') return asLines(statusLine(message));
    return [];
  }
}

/** A process's raw output (stdout or stderr of a build step), reported as clean lines as they complete. */
export class OutputLines {
  private readonly decoder = new StringDecoder('utf8');
  private readonly text = new LineCutter();

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    for (const line of this.text.push(this.decoder.write(chunk))) this.onLine(line);
  }

  /** The output ended: reports an unfinished last line. */
  end(): void {
    for (const line of this.text.push(this.decoder.end())) this.onLine(line);
    for (const line of this.text.flush()) this.onLine(line);
  }
}

function errorOf(message: ProgressMessage): string | null {
  const detail = message.errorDetail?.message;
  if (typeof detail === 'string' && detail.length > 0) return clean(detail);
  if (typeof message.error === 'string' && message.error.length > 0) return clean(message.error);
  return null;
}

function statusLine(message: ProgressMessage): string[] {
  // "Downloading [==>   ]" repeats many times a second per layer; its start and end are enough.
  if (typeof message.progressDetail?.current === 'number') return [];
  const id = typeof message.id === 'string' && message.id.length > 0 ? `${message.id}: ` : '';
  return lines(`${id}${String(message.status)}\n`);
}

/** Cuts text at line ends into clean, non-empty, bounded lines. */
function lines(text: string): string[] {
  return text
    .split(/\r\n|\n|\r/)
    .map(clean)
    .filter((line) => line.length > 0);
}

function asLines(texts: string[]): BuildProgress[] {
  return texts.map((line) => ({ kind: 'line', line }));
}

function clean(text: string): string {
  const line = text.replace(ANSI_ESCAPE, '').replace(CONTROL, '').trimEnd();
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
