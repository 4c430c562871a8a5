import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { SiteView } from '../../api/types';
import { useLiveStream } from '../../live/live-stream';
import { Button } from '../../ui/Button';
import { Loading } from '../../ui/Spinner';
import { LogBuffer, type LogLine } from './log-buffer';
import { useFollowScroll } from './use-follow-scroll';

/** Lines the stream starts with: enough context without a long first render. */
const TAIL_LINES = 200;

/**
 * The site's output, live: the last lines, then everything it prints. Lines are React text (a line
 * holding markup shows that markup); stderr is marked. Pause freezes the view while lines are
 * still collected; scrolling up stops following until "Jump to latest".
 */
export function SiteLogs({ site }: { site: SiteView }): ReactNode {
  const buffer = useRef(new LogBuffer());
  const [lines, setLines] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const frame = useRef<number | null>(null);

  // Many chunks in one frame cost one render.
  const showSoon = useCallback(() => {
    if (pausedRef.current || frame.current !== null) return;
    frame.current = window.requestAnimationFrame(() => {
      frame.current = null;
      setLines(buffer.current.snapshot());
    });
  }, []);
  useEffect(
    () => () => {
      if (frame.current !== null) window.cancelAnimationFrame(frame.current);
    },
    [],
  );

  const stream = useLiveStream(
    { kind: 'logs', siteId: site.id, tail: TAIL_LINES },
    {
      onData: (data, which) => {
        if (buffer.current.push(data, which)) showSoon();
      },
    },
  );
  // Every (re)opened stream starts with the tail again: start clean so no line shows twice.
  useEffect(() => {
    if (stream.state !== 'opening') return;
    buffer.current.reset();
    setLines([]);
  }, [stream.state]);

  const scroll = useFollowScroll(lines);
  const togglePause = (): void => {
    setPaused(!paused);
    if (paused) setLines(buffer.current.snapshot());
  };
  const clear = (): void => {
    buffer.current.clear();
    setLines([]);
  };

  return (
    <div className="site-logs">
      <div className="toolbar logs-toolbar">
        <Button onClick={togglePause} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </Button>
        <Button onClick={clear}>Clear</Button>
        {stream.state === 'closed' ? (
          <Button variant="primary" onClick={stream.reopen}>
            Reconnect
          </Button>
        ) : null}
        <span className="logs-count">{lines.length === 1 ? '1 line' : `${lines.length} lines`}</span>
      </div>
      <StreamNotice state={stream.state} problem={stream.problem} paused={paused} />
      <div className="log-viewport" ref={scroll.viewportRef} onScroll={scroll.onScroll} tabIndex={0} role="log" aria-label="Site logs">
        {lines.map((line) => (
          <div key={line.id} className={`log-line log-${line.stream}`}>
            {line.stream === 'stderr' ? <span className="log-stream-tag">stderr</span> : null}
            {line.text}
          </div>
        ))}
      </div>
      {scroll.following ? null : (
        <Button className="jump-to-latest" variant="primary" onClick={scroll.jumpToLatest}>
          Jump to latest ↓
        </Button>
      )}
    </div>
  );
}

function StreamNotice({
  state,
  problem,
  paused,
}: {
  state: 'opening' | 'open' | 'closed';
  problem: { code?: string; message: string } | null;
  paused: boolean;
}): ReactNode {
  if (state === 'opening') return <Loading what="the logs" />;
  if (state === 'closed') {
    const notRunning = problem?.code === 'SITE_NOT_RUNNING';
    return (
      <p className="notice notice-info" role="status">
        {notRunning
          ? 'The site is not running, so it prints nothing. Start it from the overview, then reconnect.'
          : `The logs stopped: ${problem?.message ?? 'the connection closed'}.`}
      </p>
    );
  }
  return paused ? (
    <p className="notice notice-info" role="status">
      Paused: new lines are collected and shown when you resume.
    </p>
  ) : null;
}
