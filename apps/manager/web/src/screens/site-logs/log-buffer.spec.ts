import { describe, expect, it } from 'vitest';
import { LogBuffer } from './log-buffer';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('LogBuffer', () => {
  it('splits chunks into lines and holds an unfinished line until the next chunk', () => {
    const buffer = new LogBuffer();
    expect(buffer.push(bytes('one\ntw'), 'stdout')).toBe(true);
    expect(buffer.snapshot().map((line) => line.text)).toEqual(['one']);
    expect(buffer.push(bytes('o\r\nthree'), 'stdout')).toBe(true);
    expect(buffer.snapshot().map((line) => line.text)).toEqual(['one', 'two']);
  });

  it('decodes a UTF-8 character split between chunks, per stream', () => {
    const buffer = new LogBuffer();
    const euro = bytes('€\n');
    buffer.push(euro.slice(0, 1), 'stderr');
    buffer.push(bytes('out\n'), 'stdout');
    buffer.push(euro.slice(1), 'stderr');
    expect(buffer.snapshot().map((line) => [line.stream, line.text])).toEqual([
      ['stdout', 'out'],
      ['stderr', '€'],
    ]);
  });

  it('keeps only the newest lines, with ids that keep growing', () => {
    const buffer = new LogBuffer(3);
    buffer.push(bytes('1\n2\n3\n4\n5\n'), 'stdout');
    expect(buffer.snapshot().map((line) => line.text)).toEqual(['3', '4', '5']);
    expect(buffer.snapshot().map((line) => line.id)).toEqual([2, 3, 4]);
  });

  it('cuts an endless line instead of growing it forever', () => {
    const buffer = new LogBuffer();
    buffer.push(bytes('x'.repeat(40_000)), 'stdout');
    expect(buffer.snapshot().map((line) => line.text.length)).toEqual([16_384, 16_384]);
  });

  it('clears the shown lines, and reset also forgets an unfinished one', () => {
    const buffer = new LogBuffer();
    buffer.push(bytes('a\npart'), 'stdout');
    buffer.clear();
    buffer.push(bytes('ial\n'), 'stdout');
    expect(buffer.snapshot().map((line) => line.text)).toEqual(['partial']);
    buffer.push(bytes('dangling'), 'stdout');
    buffer.reset();
    buffer.push(bytes('fresh\n'), 'stdout');
    expect(buffer.snapshot().map((line) => line.text)).toEqual(['fresh']);
  });
});
