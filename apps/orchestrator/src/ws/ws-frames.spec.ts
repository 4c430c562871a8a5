import { describe, expect, it } from 'vitest';
import { STREAM } from '@dais/shared';
import { readClientFrame } from './ws-frames';

const text = (value: string) => readClientFrame(Buffer.from(value), false);

describe('readClientFrame', () => {
  it('reads stdin bytes after the stream byte', () => {
    expect(readClientFrame(Buffer.from([STREAM.stdin, 104, 105]), true)).toEqual({ kind: 'stdin', data: Buffer.from('hi') });
  });

  it('reads control messages', () => {
    expect(text('{"type":"resize","cols":80,"rows":24}')).toEqual({ kind: 'message', message: { type: 'resize', cols: 80, rows: 24 } });
    expect(text('{"type":"eof"}')).toEqual({ kind: 'message', message: { type: 'eof' } });
  });

  it.each([
    ['not JSON', () => text('not JSON {')],
    ['an unknown type', () => text('{"type":"launch"}')],
    ['a resize with text sizes', () => text('{"type":"resize","cols":"80","rows":24}')],
    ['an extra field', () => text('{"type":"ping","also":1}')],
    ['JSON that is not an object', () => text('[1,2]')],
    ['stdout bytes from a client', () => readClientFrame(Buffer.from([STREAM.stdout, 1]), true)],
    ['an empty binary frame', () => readClientFrame(Buffer.alloc(0), true)],
    ['a stream byte without data', () => readClientFrame(Buffer.from([STREAM.stdin]), true)],
  ])('ignores %s', (_label, read) => {
    expect(read()).toEqual({ kind: 'ignored' });
  });
});
