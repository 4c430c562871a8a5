import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, asApiError } from './api-error';
import { manager } from './client';
import { takePrefetched } from './prefetch';

export interface ApiResource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Reads it again (keeps showing the old data meanwhile). */
  reload: () => Promise<void>;
  /** Replaces the data locally (optimistic updates, live events). */
  set: (update: T | ((current: T | undefined) => T | undefined)) => void;
}

/** GETs a manager path when the screen shows it (and again when `path` changes); null = nothing yet. */
export function useApi<T>(path: string | null): ApiResource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const latest = useRef(0);

  const load = useCallback(async () => {
    if (path === null) return;
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const answer = await (takePrefetched<T>(path) ?? manager.get<T>(path));
      if (ticket !== latest.current) return;
      setData(answer);
      setError(null);
    } catch (caught) {
      if (ticket === latest.current) setError(asApiError(caught));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    void load();
  }, [load]);

  const set = useCallback((update: T | ((current: T | undefined) => T | undefined)) => {
    setData((current) => (typeof update === 'function' ? (update as (value: T | undefined) => T | undefined)(current) : update));
  }, []);
  return { data, error, loading, reload: load, set };
}

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: ApiError | null;
  clearError: () => void;
}

/**
 * Runs something the user asked for: `busy` at once (the button shows a spinner within a frame),
 * the error kept for the form to show next to its fields. Resolves true when it worked.
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await actionRef.current(...args);
      return true;
    } catch (caught) {
      setError(asApiError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, busy, error, clearError };
}
