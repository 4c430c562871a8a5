import { terminalOpenSchema } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { sessionQuery } from './site-channel.client';

const parse = (query: string) => terminalOpenSchema.parse(Object.fromEntries(new URLSearchParams(query)));

describe('sessionQuery', () => {
  it('describes a shell with its size and TERM in the form the orchestrator validates', () => {
    expect(parse(sessionQuery({ mode: 'shell', cols: 120, rows: 40, term: 'xterm-256color' }))).toEqual({
      mode: 'shell',
      cols: 120,
      rows: 40,
      term: 'xterm-256color',
    });
  });

  it('carries any command byte for byte as base64url, so no character can break the query', () => {
    const command = `printf '%s' "a&b=c?d#e" ; echo ünï ; cat </etc/hostname\n`;
    const open = parse(sessionQuery({ mode: 'exec', command, tty: false }));
    expect(Buffer.from(open.command ?? '', 'base64url').toString('utf8')).toBe(command);
    expect(open.tty).toBeUndefined();
    expect(parse(sessionQuery({ mode: 'exec', command: 'top', tty: true, cols: 80, rows: 24 })).tty).toBe('1');
  });

  it('leaves out a TERM the contract would refuse instead of failing the session', () => {
    expect(parse(sessionQuery({ mode: 'shell', cols: 80, rows: 24, term: 'xterm\u001b]0;pwned\u0007' })).term).toBeUndefined();
    expect(sessionQuery({ mode: 'sftp' })).toBe('mode=sftp');
  });
});
