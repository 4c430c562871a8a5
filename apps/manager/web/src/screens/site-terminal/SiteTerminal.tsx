import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SiteView } from '../../api/types';
import { useLiveStream } from '../../live/live-stream';
import { Button } from '../../ui/Button';
import { describeSession, sessionAfter, sessionEnded, type TerminalSession } from './terminal-session';

const TERMINAL_OPTIONS = {
  cursorBlink: true,
  fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
  fontSize: 14,
  scrollback: 5_000,
  theme: { background: '#111418', foreground: '#e6e9ed', cursor: '#ffb000' },
} as const;

/**
 * A shell in the site's container, drawn by xterm.js: its bytes are written to the terminal as data
 * (never parsed as HTML), keystrokes and size changes go back over the live stream.
 */
export function SiteTerminal({ site }: { site: SiteView }): ReactNode {
  const containerRef = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | null>(null);
  // The size the session opens with; later sizes travel as resizes, so the shell is not reopened.
  const [openingSize, setOpeningSize] = useState<{ cols: number; rows: number } | null>(null);
  const [session, setSession] = useState<TerminalSession>({ phase: 'connecting' });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const terminal = new Terminal(TERMINAL_OPTIONS);
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(container);
    fit.fit();
    terminalRef.current = terminal;
    setOpeningSize({ cols: terminal.cols, rows: terminal.rows });
    // Fitting in the next frame, not inside the observer: resizing there would re-trigger it.
    let frame = 0;
    const observer = new ResizeObserver(() => {
      window.cancelAnimationFrame(frame);
      frame = window.requestAnimationFrame(() => fit.fit());
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      window.cancelAnimationFrame(frame);
      terminal.dispose();
      terminalRef.current = null;
    };
  }, []);

  const stream = useLiveStream(openingSize ? { kind: 'terminal', siteId: site.id, ...openingSize } : null, {
    onData: (data) => terminalRef.current?.write(data),
    onMessage: (message) => setSession((current) => sessionAfter(current, message)),
    onClosed: ({ reason }) => setSession((current) => (sessionEnded(current) ? current : { phase: 'failed', message: reason })),
  });
  const { send, resize, state } = stream;

  useEffect(() => {
    const terminal = terminalRef.current;
    if (!terminal) return undefined;
    const typed = terminal.onData((data) => send(data));
    const resized = terminal.onResize((size) => resize(size.cols, size.rows));
    return () => {
      typed.dispose();
      resized.dispose();
    };
  }, [openingSize, send, resize]);

  // A (re)opened session (also after the connection came back) takes the terminal's current size
  // and the keyboard; until its shell is ready the status line says it is connecting.
  useEffect(() => {
    const terminal = terminalRef.current;
    if (state === 'opening') setSession({ phase: 'connecting' });
    if (state !== 'open' || !terminal) return;
    resize(terminal.cols, terminal.rows);
    terminal.focus();
  }, [state, resize]);

  const startOver = (): void => {
    terminalRef.current?.reset();
    setSession({ phase: 'connecting' });
    stream.reopen();
  };
  const problem = state === 'closed' && !sessionEnded(session) ? stream.problem?.message : undefined;
  const ended = sessionEnded(session) || problem !== undefined;

  return (
    <div className="site-terminal">
      <div className="terminal-status" role="status" data-session={session.phase}>
        <span>{problem ?? describeSession(session)}</span>
        {ended ? (
          <Button variant="primary" onClick={startOver}>
            New session
          </Button>
        ) : null}
      </div>
      <div className="terminal-screen" ref={containerRef} aria-label="Terminal" />
    </div>
  );
}
