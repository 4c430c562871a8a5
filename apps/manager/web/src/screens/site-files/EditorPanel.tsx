import { useEffect, type ReactNode } from 'react';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Loading } from '../../ui/Spinner';
import { CodeEditor } from './CodeEditor';
import { baseName, filesUrl } from './file-paths';
import type { OpenFileState } from './use-open-file';

/**
 * The open file: its path with an unsaved marker, Save (also Ctrl/Cmd-S anywhere in the panel),
 * the editor itself, and what happened to the file on disk meanwhile.
 */
export function EditorPanel({ siteId, editor, onClose }: { siteId: number; editor: OpenFileState; onClose: () => void }): ReactNode {
  const { file, dirty } = editor;
  useUnsavedChangesGuard(dirty);

  if (editor.opening && editor.opening !== file?.path) return <Loading what={baseName(editor.opening)} />;
  if (editor.refusal) {
    return (
      <section className="editor-panel editor-message" aria-label="Editor">
        <h2 className="editor-path">{editor.refusal.path}</h2>
        {editor.refusal.error ? (
          <ErrorNotice error={editor.refusal.error} />
        ) : (
          <p className="notice notice-info" role="status">
            {editor.refusal.message}
          </p>
        )}
        <a
          className="button button-secondary"
          href={filesUrl(siteId, 'content', editor.refusal.path)}
          download={baseName(editor.refusal.path)}
        >
          Download
        </a>
      </section>
    );
  }
  if (!file) return <p className="editor-panel editor-message empty">Choose a file in the tree to edit it.</p>;

  const saveNow = (): void => void editor.save.run();
  return (
    <section
      className="editor-panel"
      aria-label="Editor"
      onKeyDown={(event) => {
        if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
          event.preventDefault();
          if (!editor.save.busy) saveNow();
        }
      }}
    >
      <div className="editor-bar">
        <h2 className="editor-path" title={file.path}>
          {file.path}
          {dirty ? (
            <span className="editor-dirty" data-testid="unsaved-marker">
              {' '}
              ● unsaved
            </span>
          ) : null}
        </h2>
        <Button variant="primary" busy={editor.save.busy} disabled={!dirty && editor.diskNotice === null} onClick={saveNow}>
          Save
        </Button>
        <a className="button button-secondary" href={filesUrl(siteId, 'content', file.path)} download={baseName(file.path)}>
          Download
        </a>
        <Button variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      <DiskNotice editor={editor} />
      <ErrorNotice error={editor.save.error} />
      <CodeEditor
        key={`${file.path}#${file.revision}`}
        fileName={baseName(file.path)}
        initialText={file.initialText}
        savedText={file.savedText}
        onDirtyChange={editor.setDirty}
        viewRef={editor.viewRef}
        label={`Content of ${file.path}`}
      />
      <p className="editor-hint">Ctrl/Cmd-S saves. Tab indents: press Esc, then Tab, to move on from the editor.</p>
    </section>
  );
}

function DiskNotice({ editor }: { editor: OpenFileState }): ReactNode {
  const path = editor.file?.path;
  if (!path || editor.diskNotice === null) return null;
  return (
    <div className="notice notice-info" role="status">
      {editor.diskNotice === 'changed'
        ? 'This file was changed on disk since you opened it. Saving will replace that version with yours.'
        : 'This file was deleted or moved on disk. Saving will create it again.'}{' '}
      {editor.diskNotice === 'changed' ? (
        <Button className="button-small" onClick={() => void editor.open(path)}>
          Reload from disk (drop my changes)
        </Button>
      ) : null}
    </div>
  );
}

/** Asks the browser to warn before leaving the page while there are unsaved edits. */
function useUnsavedChangesGuard(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (event: BeforeUnloadEvent): void => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}
