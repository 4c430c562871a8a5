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
 * Reads Docker's progress stream: one JSON object per line, arriving in arbitrary chunks. `stream`
 * text (a build's output) comes in pieces that are re-cut at line ends; `status` messages (a pull)
 * become lines, except the progress-bar updates; `error`/`errorDetail` becomes an error.
 */
export class BuildProgressParser {
  private readonly decoder = new StringDecoder('utf8');
  /** Raw bytes of a JSON line not yet complete. */
  private pendingJson = '';
  /** Build output not yet ended by a newline. */
  private pendingText = '';

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
    const out = this.message(rest);
    if (this.pendingText.length > 0) out.push(...lines(this.pendingText + '\n'));
    this.pendingText = '';
    return out;
  }

  private message(raw: string): BuildProgress[] {
    const trimmed = raw.trim();
    if (trimmed.length === 0) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Not JSON (an old engine, a proxy's error page): still worth showing.
      return lines(trimmed + '\n');
    }
    if (typeof parsed !== 'object' || parsed === null) return [];
    const message = parsed as ProgressMessage;
    const error = errorOf(message);
    if (error !== null) return [...this.flushText(), { kind: 'error', message: error }];
    if (typeof message.stream === 'string') return this.text(message.stream);
    if (typeof message.status === 'string') return statusLine(message);
    return [];
  }

  private text(piece: string): BuildProgress[] {
    this.pendingText += piece;
    const cut = Math.max(this.pendingText.lastIndexOf('\n'), this.pendingText.lastIndexOf('\r'));
    if (cut < 0) {
      if (this.pendingText.length <= MAX_LINE_LENGTH) return [];
      return this.flushText();
    }
    const complete = this.pendingText.slice(0, cut + 1);
    this.pendingText = this.pendingText.slice(cut + 1);
    return lines(complete);
  }

  private flushText(): BuildProgress[] {
    const text = this.pendingText;
    this.pendingText = '';
    return text.length > 0 ? lines(text + '\n') : [];
  }
}

function errorOf(message: ProgressMessage): string | null {
  const detail = message.errorDetail?.message;
  if (typeof detail === 'string' && detail.length > 0) return clean(detail);
  if (typeof message.error === 'string' && message.error.length > 0) return clean(message.error);
  return null;
}

function statusLine(message: ProgressMessage): BuildProgress[] {
  // "Downloading [==>   ]" repeats many times a second per layer; its start and end are enough.
  if (typeof message.progressDetail?.current === 'number') return [];
  const id = typeof message.id === 'string' && message.id.length > 0 ? `${message.id}: ` : '';
  return lines(`${id}${String(message.status)}\n`);
}

/** Cuts text at line ends into clean, non-empty, bounded lines. */
function lines(text: string): BuildProgress[] {
  return text
    .split(/\r\n|\n|\r/)
    .map(clean)
    .filter((line) => line.length > 0)
    .map((line) => ({ kind: 'line', line }));
}

function clean(text: string): string {
  const line = text.replace(ANSI_ESCAPE, '').replace(CONTROL, '').trimEnd();
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
