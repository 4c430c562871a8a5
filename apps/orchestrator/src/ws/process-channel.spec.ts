import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { STREAM } from '@dais/shared';
import type { ExecOutput, ExecSession } from '../docker/container-sessions';
import { runProcessChannel, type SessionLimits } from './process-channel';

/** A process that records what it is sent and prints what the test tells it to. */
class FakeProcess {
  readonly written: string[] = [];
  readonly sizes: string[] = [];
  inputEnded = false;
  closed = false;
  released = false;
  output: ExecOutput | undefined;

  asSession(): ExecSession {
    const session: Pick<ExecSession, 'write' | 'endInput' | 'resize' | 'close' | 'pause' | 'resume'> = {
      write: (data) => void this.written.push(data.toString('utf8')),
      endInput: () => void (this.inputEnded = true),
      resize: (cols, rows) => Promise.resolve(void this.sizes.push(`${cols}x${rows}`)),
      close: () => {
        this.closed = true;
        return Promise.resolve();
      },
      pause: () => undefined,
      resume: () => undefined,
    };
    return session as ExecSession;
  }
}

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A real websocket pair over loopback; the server side runs the channel with `start`. */
async function connect(limits: SessionLimits, start: (output: ExecOutput) => Promise<FakeProcess>) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(server);
  let channel: Promise<void> = Promise.resolve();
  server.on('connection', (ws) => {
    channel = runProcessChannel(ws, limits, async (output) => {
      const fake = await start(output);
      fake.output = output;
      return { session: fake.asSession(), release: () => Promise.resolve(void (fake.released = true)) };
    });
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const frames: string[] = [];
  client.on('message', (data: Buffer, isBinary) => frames.push(isBinary ? `bytes:${data.subarray(1).toString()}` : data.toString()));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise((resolve) => client.once('open', resolve));
  return { client, frames, closed, done: () => channel };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runProcessChannel', () => {
  it('sends ready before any output, even output printed while the process starts', async () => {
    const fake = new FakeProcess();
    const { frames, closed, client } = await connect({ idleTimeoutMs: 5_000, maxLifetimeMs: 5_000 }, (output) => {
      output.onData(Buffer.from('early'), false);
      return Promise.resolve(fake);
    });
    await vi.waitFor(() => expect(frames).toContain('bytes:early'));
    fake.output?.onExit(0);
    await closed;
    expect(frames).toEqual(['{"type":"ready"}', 'bytes:early', '{"type":"exit","code":0}']);
    expect(client.readyState).toBe(WebSocket.CLOSED);
  });

  it('delivers input, a resize and eof sent before the process started, once it has', async () => {
    const fake = new FakeProcess();
    const { client, done } = await connect({ idleTimeoutMs: 5_000, maxLifetimeMs: 5_000 }, async () => {
      await wait(200); // a slow start: the input below arrives while it lasts
      return fake;
    });
    client.send(Buffer.concat([Buffer.of(STREAM.stdin), Buffer.from('typed early')]));
    client.send('{"type":"resize","cols":100000,"rows":0}');
    client.send('{"type":"eof"}');
    await vi.waitFor(() => expect(fake.inputEnded).toBe(true));
    expect(fake.written).toEqual(['typed early']);
    expect(fake.sizes).toEqual(['1000x2']);
    expect(fake.inputEnded).toBe(true);
    client.close();
    await done();
    expect(fake.closed && fake.released).toBe(true);
  });

  it('ends a busy session at its maximum lifetime, and releases it', async () => {
    const fake = new FakeProcess();
    const { client, frames, closed, done } = await connect({ idleTimeoutMs: 5_000, maxLifetimeMs: 300 }, () => Promise.resolve(fake));
    const typing = setInterval(() => client.send('{"type":"ping"}'), 50);
    await closed;
    clearInterval(typing);
    await done();
    expect(frames.at(-1)).toContain('SESSION_TIMED_OUT');
    expect(frames.at(-1)).toContain('maximum lifetime');
    expect(fake.closed && fake.released).toBe(true);
  });

  it('reports a start failure as a coded error and closes', async () => {
    const { frames, closed } = await connect({ idleTimeoutMs: 5_000, maxLifetimeMs: 5_000 }, () => Promise.reject(new Error('boom')));
    await closed;
    expect(JSON.parse(frames.at(-1) ?? '{}')).toMatchObject({ type: 'error', code: 'RUNTIME_FAILED' });
    expect(frames.join()).not.toContain('boom');
  });
});
