import { describe, expect, it } from 'vitest';
import { StreamEventGate } from './stream-event-gate';

describe('StreamEventGate', () => {
  it('holds events that arrive before the ack and delivers this stream’s in order once it is named', () => {
    const gate = new StreamEventGate();
    const seen: string[] = [];
    gate.offer('mine', () => seen.push('tail 1'));
    gate.offer('other', () => seen.push('other stream'));
    gate.offer('mine', () => seen.push('tail 2'));
    expect(seen).toEqual([]);
    gate.open('mine');
    expect(seen).toEqual(['tail 1', 'tail 2']);
  });

  it('passes this stream’s later events straight on and drops other streams’', () => {
    const gate = new StreamEventGate();
    const seen: string[] = [];
    gate.open('mine');
    gate.offer('mine', () => seen.push('line'));
    gate.offer('other', () => seen.push('other stream'));
    expect(seen).toEqual(['line']);
  });

  it('delivers an early close after the data that came before it', () => {
    const gate = new StreamEventGate();
    const seen: string[] = [];
    gate.offer('mine', () => seen.push('data'));
    gate.offer('mine', () => seen.push('closed'));
    gate.open('mine');
    expect(seen).toEqual(['data', 'closed']);
  });

  it('holds a bounded number of events while the id is unknown', () => {
    const gate = new StreamEventGate();
    let delivered = 0;
    for (let i = 0; i < 5_000; i++) gate.offer('mine', () => delivered++);
    gate.open('mine');
    expect(delivered).toBe(1_000);
  });
});
