import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { DaisError } from '@dais/shared';

/** One file part of a `multipart/form-data` body; its content streams while the body is fed in. */
export interface FilePart {
  /** The form field it was sent under. */
  field: string;
  /** The file name as the client sent it (decoded, never shortened or cleaned: check it). */
  filename: string;
  content: AsyncIterable<Uint8Array>;
}

/** Settings of {@link createFormParser}. */
export interface FormParserOptions {
  /** The boundary the body was sent with. */
  boundary: string;
  /** More file parts than this are refused (PAYLOAD_TOO_LARGE). */
  maxFiles: number;
  /** A file part longer than this is refused (FILE_TOO_LARGE). */
  maxFileBytes: number;
  /** Called for each file part, one at a time in body order; it must read `content` to its end. */
  onFile(part: FilePart): Promise<void>;
}

/** A multipart body being parsed: fed by the caller, which owns the request and its draining. */
export interface FormParser {
  /** Feeds the next bytes; resolves when the parser takes more, rejects once the body was refused. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the body; resolves once every part was parsed and handled, rejects if any was refused. */
  end(): Promise<void>;
  /** Stops parsing (the body broke or was refused elsewhere): a part being read ends with `error`. */
  abort(error: unknown): void;
  /** Resolves once no `onFile` is running any more (after a refusal too, so the caller can clean up). */
  settled(): Promise<void>;
}

/**
 * The one adapter of `@fastify/busboy`. Only file parts are accepted (a part with a file name);
 * a plain field, too many files, a file past its cap or a malformed body refuse the whole body.
 * File names are handed over as sent (`preservePath`): busboy would otherwise cut them to their
 * last segment, and a name like `../x` must be refused, not quietly renamed. Parts that are not
 * form-data parts at all (no `Content-Disposition: form-data`) are skipped by busboy.
 */
export function createFormParser(options: FormParserOptions): FormParser {
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let refuse: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (refuse = reject));
  // Observed by end(); this keeps a refusal during write() from being reported as unhandled.
  failed.catch(() => undefined);
  const streaming = new Set<BusboyFileStream>();
  let handled = Promise.resolve();

  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error instanceof Error ? error : new Error(String(error));
    refuse(failure);
    wake?.();
    // A part whose handler waits for bytes that will never be fed must end now, or it never settles.
    for (const stream of streaming) stream.destroy(failure);
  };
  const throwIfFailed = (): void => {
    if (failure !== undefined) throw failure;
  };

  const parser = Busboy({
    headers: { 'content-type': `multipart/form-data; boundary="${options.boundary}"` },
    preservePath: true,
    isPartAFile: (_field, _type, filename) => filename !== undefined,
    limits: { files: options.maxFiles, fileSize: options.maxFileBytes, fields: 0, headerPairs: 20 },
  });
  parser.on('file', (field, stream, filename) => {
    streaming.add(stream);
    // Errors reach the handler through its reads; this only keeps a queued part's error from crashing.
    stream.on('error', () => undefined);
    stream.once('close', () => streaming.delete(stream));
    stream.once('limit', () => fail(fileTooLarge(options.maxFileBytes)));
    handled = handled
      .then(async () => {
        if (failure !== undefined) return void stream.resume();
        await options.onFile({ field, filename, content: stream });
        if (stream.truncated) throw fileTooLarge(options.maxFileBytes);
      })
      .catch(fail);
  });
  parser.on('fieldsLimit', () =>
    fail(new DaisError('VALIDATION_FAILED', 'Only file parts are accepted: every part needs a file name (filename="…").')),
  );
  parser.on('filesLimit', () =>
    fail(new DaisError('PAYLOAD_TOO_LARGE', `One upload may carry at most ${options.maxFiles} files.`, { limitFiles: options.maxFiles })),
  );
  parser.on('error', (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    fail(new DaisError('VALIDATION_FAILED', `The multipart body is malformed (${reason}).`));
  });
  parser.on('drain', () => wake?.());

  return {
    async write(chunk) {
      throwIfFailed();
      if (!parser.write(chunk)) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      throwIfFailed();
    },
    async end() {
      throwIfFailed();
      const finished = new Promise<void>((resolve) => parser.once('finish', resolve));
      parser.end();
      await Promise.race([finished, failed]);
      await handled;
      throwIfFailed();
    },
    abort: fail,
    settled: () => handled,
  };
}

function fileTooLarge(limit: number): DaisError {
  return new DaisError('FILE_TOO_LARGE', `Uploads are limited to ${limit} bytes per file.`, { limitBytes: limit });
}
