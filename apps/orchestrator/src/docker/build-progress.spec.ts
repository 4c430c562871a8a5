import { describe, expect, it } from 'vitest';
import { BuildProgressParser, MAX_LINE_LENGTH, type BuildProgress } from './build-progress';

const json = (message: object) => `${JSON.stringify(message)}\r\n`;
const line = (text: string): BuildProgress => ({ kind: 'line', line: text });

/** Feeds chunks one by one, then ends, collecting everything the parser reports. */
function parse(...chunks: (string | Buffer)[]): BuildProgress[] {
  const parser = new BuildProgressParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe("Docker's build progress stream", () => {
  it('re-cuts build output at line ends, dropping blank lines', () => {
    expect(
      parse(
        json({ stream: 'Step 1/2 : FROM dais/busybox' }),
        json({ stream: '\n' }),
        json({ stream: ' ---> 82825c2193dd\n' }),
        json({ stream: 'hi\nthere\n' }),
      ),
    ).toEqual([line('Step 1/2 : FROM dais/busybox'), line(' ---> 82825c2193dd'), line('hi'), line('there')]);
  });

  it('reports a line as soon as its newline arrives, not at the end', () => {
    const parser = new BuildProgressParser();
    expect(parser.push(json({ stream: 'partial ' }))).toEqual([]);
    expect(parser.push(json({ stream: 'line\nnext' }))).toEqual([line('partial line')]);
    expect(parser.end()).toEqual([line('next')]);
  });

  it('joins JSON messages and UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from(json({ stream: 'grüße ✓\n' }));
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    expect(parse(bytes.subarray(0, 5), bytes.subarray(5, cut), bytes.subarray(cut))).toEqual([line('grüße ✓')]);
  });

  it("removes the ANSI colours Docker puts around a step's stderr, and other control characters", () => {
    expect(parse(json({ stream: '\u001b[91merr\n\u001b[0m' }), json({ stream: 'bell\u0007 tab\tok\n' }))).toEqual([
      line('err'),
      line('bell tab\tok'),
    ]);
  });

  it('splits carriage-return progress output into lines', () => {
    expect(parse(json({ stream: '10%\r50%\r100%\r\n' }))).toEqual([line('10%'), line('50%'), line('100%')]);
  });

  it('reports an error with its detail, after the output that came before it', () => {
    const message = "The command 'false' returned a non-zero code: 1";
    expect(parse(json({ stream: 'no newline yet' }), json({ errorDetail: { code: 1, message }, error: message }))).toEqual([
      line('no newline yet'),
      { kind: 'error', message },
    ]);
  });

  it('reports an error that has only the short form', () => {
    expect(parse(json({ error: 'pull access denied' }))).toEqual([{ kind: 'error', message: 'pull access denied' }]);
  });

  it('turns pull status into lines but skips progress-bar updates', () => {
    expect(
      parse(
        json({ status: 'Pulling from library/node', id: '22' }),
        json({ status: 'Downloading', progressDetail: { current: 10, total: 100 }, progress: '[=>   ]', id: 'abc' }),
        json({ status: 'Pull complete', progressDetail: {}, id: 'abc' }),
        json({ status: 'Digest: sha256:0123' }),
      ),
    ).toEqual([line('22: Pulling from library/node'), line('abc: Pull complete'), line('Digest: sha256:0123')]);
  });

  it('ignores messages it does not know (aux image ids) and shows lines that are not JSON', () => {
    expect(parse(json({ aux: { ID: 'sha256:abc' } }), 'Bad Gateway\n', json({ stream: 'ok\n' }))).toEqual([
      line('Bad Gateway'),
      line('ok'),
    ]);
  });

  it('cuts a runaway line instead of buffering it forever', () => {
    const parser = new BuildProgressParser();
    const out = parser.push(json({ stream: 'x'.repeat(MAX_LINE_LENGTH + 500) }));
    expect(out).toEqual([line(`${'x'.repeat(MAX_LINE_LENGTH)}…`)]);
    expect(parser.end()).toEqual([]);
  });

  it('reads the last message even without a final newline', () => {
    expect(parse(JSON.stringify({ stream: 'last\n' }))).toEqual([line('last')]);
  });
});
