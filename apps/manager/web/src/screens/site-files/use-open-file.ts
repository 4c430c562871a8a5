import { useCallback, useRef, useState, type RefObject } from 'react';
import type { EditorView } from '@codemirror/view';
import { asApiError, type ApiError } from '../../api/api-error';
import { useAction, type Action } from '../../api/use-api';
import { filesApi, isNotFound, NotEditable, readTextFile } from './files-api';

/** The file in the editor: `revision` changes when its text is replaced from disk (a new editor). */
export interface OpenFile {
  path: string;
  initialText: string;
  savedText: string;
  revision: number;
}

/** What happened on disk to the open file while it had unsaved edits (or at all, when removed). */
export type DiskNotice = 'changed' | 'removed' | null;

export interface OpenFileState {
  file: OpenFile | null;
  /** The path being read, while it is read. */
  opening: string | null;
  /** Why the last file asked for is not in the editor (binary, too large) or could not be read. */
  refusal: { path: string; message: string; error: ApiError | null } | null;
  dirty: boolean;
  setDirty: (dirty: boolean) => void;
  diskNotice: DiskNotice;
  viewRef: RefObject<EditorView | null>;
  open: (path: string) => Promise<void>;
  save: Action<[]>;
  close: () => void;
  /** The open file was moved (renamed by this screen): keep editing it under its new path. */
  moved: (from: string, to: string) => void;
  /** A file event for `path` (from the live folder watch). */
  onDiskChange: (path: string, event: 'add' | 'change' | 'remove') => void;
}

/**
 * The editor's file: reading it (refusing binary and oversized files), saving it, and following
 * changes made on disk by others: reloaded when there is nothing unsaved, a notice otherwise.
 */
export function useOpenFile(siteId: number, maxBytes: number): OpenFileState {
  const [file, setFile] = useState<OpenFile | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<OpenFileState['refusal']>(null);
  const [dirty, setDirtyState] = useState(false);
  const [diskNotice, setDiskNotice] = useState<DiskNotice>(null);
  const viewRef = useRef<EditorView | null>(null);
  const fileRef = useRef(file);
  fileRef.current = file;
  const dirtyRef = useRef(dirty);
  // The text a save is writing: its own change event must not look like someone else's edit.
  const savingText = useRef<string | null>(null);
  const revision = useRef(0);
  // Only the file asked for last is shown, whichever read ends first.
  const openTicket = useRef(0);

  const setDirty = useCallback((value: boolean) => {
    dirtyRef.current = value;
    setDirtyState(value);
  }, []);

  const show = useCallback(
    (path: string, text: string) => {
      revision.current += 1;
      setFile({ path, initialText: text, savedText: text, revision: revision.current });
      setDirty(false);
      setDiskNotice(null);
    },
    [setDirty],
  );

  const open = useCallback(
    async (path: string) => {
      const ticket = ++openTicket.current;
      setOpening(path);
      setRefusal(null);
      try {
        const read = await readTextFile(siteId, path, maxBytes);
        if (ticket === openTicket.current) show(read.path, read.text);
      } catch (caught) {
        if (ticket !== openTicket.current) return;
        const error = caught instanceof NotEditable ? null : asApiError(caught);
        setRefusal({ path, message: caught instanceof NotEditable ? caught.message : asApiError(caught).message, error });
      } finally {
        setOpening((current) => (current === path ? null : current));
      }
    },
    [siteId, maxBytes, show],
  );

  const save = useAction(async () => {
    const current = fileRef.current;
    const view = viewRef.current;
    if (!current || !view) return;
    const text = view.state.doc.toString();
    savingText.current = text;
    try {
      await filesApi.write(siteId, current.path, text, true);
    } finally {
      savingText.current = null;
    }
    setFile((latest) => (latest && latest.path === current.path ? { ...latest, savedText: text } : latest));
    setDiskNotice(null);
  });

  const close = useCallback(() => {
    setFile(null);
    setRefusal(null);
    setDirty(false);
    setDiskNotice(null);
  }, [setDirty]);

  const moved = useCallback((from: string, to: string) => {
    setFile((current) => (current && current.path === from ? { ...current, path: to } : current));
  }, []);

  const onDiskChange = useCallback(
    (path: string, event: 'add' | 'change' | 'remove') => {
      const current = fileRef.current;
      if (!current || current.path !== path) return;
      if (event === 'remove') {
        setDiskNotice('removed');
        return;
      }
      readTextFile(siteId, path, maxBytes).then(
        (read) => {
          const latest = fileRef.current;
          if (!latest || latest.path !== path) return;
          if (read.text === latest.savedText || read.text === savingText.current) return;
          if (dirtyRef.current) setDiskNotice('changed');
          else show(path, read.text);
        },
        (error: unknown) => {
          // A file that became binary or too large is left as it is; a vanished one is said so.
          if (isNotFound(error)) setDiskNotice('removed');
        },
      );
    },
    [siteId, maxBytes, show],
  );

  return { file, opening, refusal, dirty, setDirty, diskNotice, viewRef, open, save, close, moved, onDiskChange };
}
