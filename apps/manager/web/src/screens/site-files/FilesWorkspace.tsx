import { useState, type ReactNode } from 'react';
import type { PlatformView } from '@dais/shared/rules';
import { useApi } from '../../api/use-api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { DeleteDialog } from './DeleteDialog';
import { EditorPanel } from './EditorPanel';
import { FilesToolbar } from './FilesToolbar';
import { FileTree, type Selection } from './FileTree';
import { FolderWatch } from './FolderWatch';
import { filesApi } from './files-api';
import { baseName, isInside, joinPath, parentOf } from './file-paths';
import { NameDialog, type NameRequest } from './NameDialog';
import { UploadDropZone, UploadList } from './UploadPanel';
import { useFolderTree } from './use-folder-tree';
import { useOpenFile } from './use-open-file';
import { useUploads } from './use-uploads';

/** Until /api/platform answers, the editor opens files up to this size. */
const DEFAULT_EDIT_MAX_BYTES = 1_000_000;
/** CodeMirror stays responsive well past this, but a browser tab holding more is no editor anymore. */
const EDIT_MAX_BYTES_CAP = 5_000_000;

/** The files page's state: the tree and its selection, the open file, uploads and the dialogs. */
export function FilesWorkspace({ siteId }: { siteId: number }): ReactNode {
  const platform = useApi<PlatformView>('/api/platform');
  const editMaxBytes = platform.data
    ? Math.min(Math.floor(platform.data.editLimitBytes * 0.8), EDIT_MAX_BYTES_CAP)
    : DEFAULT_EDIT_MAX_BYTES;
  const tree = useFolderTree(siteId, ['/', '/public']);
  const editor = useOpenFile(siteId, editMaxBytes);
  const uploads = useUploads(siteId, platform.data?.uploadLimitBytes ?? null, tree.refresh);
  const [selected, setSelected] = useState<Selection | null>({ path: '/public', type: 'directory' });
  const [nameRequest, setNameRequest] = useState<NameRequest | null>(null);
  const [deleteTarget, setDeleteTarget] = useState<Selection | null>(null);
  // What to do once the person agrees to drop unsaved edits (open another file, close the editor).
  const [pendingDiscard, setPendingDiscard] = useState<{ label: string; then: () => void } | null>(null);

  const folder = !selected ? '/' : selected.type === 'directory' ? selected.path : parentOf(selected.path);
  const openPath = editor.file?.path ?? null;
  const watched = [...new Set([folder, ...(openPath ? [parentOf(openPath)] : [])])];

  const select = (selection: Selection): void => {
    setSelected(selection);
    if (selection.type !== 'file' || selection.path === openPath) return;
    unlessUnsaved('Discard and open', () => void editor.open(selection.path));
  };

  const unlessUnsaved = (label: string, then: () => void): void => {
    if (editor.dirty) setPendingDiscard({ label, then });
    else then();
  };

  const created = (path: string, type: Selection['type']): void => {
    tree.expand(parentOf(path));
    tree.refresh(parentOf(path));
    setSelected({ path, type });
  };

  const askNewFile = (): void =>
    setNameRequest({
      title: 'New file',
      confirmLabel: 'Create file',
      folder,
      initialName: '',
      submit: async (name) => {
        const path = joinPath(folder, name);
        await filesApi.write(siteId, path, '', false);
        created(path, 'file');
        if (!editor.dirty) void editor.open(path);
      },
    });

  const askNewFolder = (): void =>
    setNameRequest({
      title: 'New folder',
      confirmLabel: 'Create folder',
      folder,
      initialName: '',
      submit: async (name) => {
        const path = joinPath(folder, name);
        await filesApi.mkdir(siteId, path);
        created(path, 'directory');
      },
    });

  const askRename = (target: Selection): void =>
    setNameRequest({
      title: 'Rename',
      confirmLabel: 'Rename',
      folder: parentOf(target.path),
      initialName: baseName(target.path),
      submit: async (name) => {
        const to = joinPath(parentOf(target.path), name);
        await filesApi.rename(siteId, target.path, to);
        tree.refresh(parentOf(target.path));
        if (openPath && isInside(openPath, target.path)) editor.moved(openPath, to + openPath.slice(target.path.length));
        setSelected({ path: to, type: target.type });
      },
    });

  const remove = async (target: Selection): Promise<void> => {
    await filesApi.remove(siteId, target.path, target.type === 'directory');
    tree.refresh(parentOf(target.path));
    if (openPath && isInside(openPath, target.path)) editor.close();
    setSelected({ path: parentOf(target.path), type: 'directory' });
  };

  return (
    <div className="files-page">
      {watched.map((path) => (
        <FolderWatch
          key={path}
          siteId={siteId}
          path={path}
          onOpened={tree.refresh}
          onEvent={(event, changed) => {
            tree.refresh(parentOf(changed));
            editor.onDiskChange(changed, event);
          }}
        />
      ))}
      <FilesToolbar
        siteId={siteId}
        folder={folder}
        selected={selected}
        uploads={uploads}
        onNewFile={askNewFile}
        onNewFolder={askNewFolder}
        onRename={askRename}
        onDelete={setDeleteTarget}
      />
      <UploadList uploads={uploads} />
      <div className="files-layout">
        <UploadDropZone uploads={uploads} folder={folder}>
          <FileTree tree={tree} selected={selected} openPath={openPath} dirty={editor.dirty} onSelect={select} />
        </UploadDropZone>
        <EditorPanel siteId={siteId} editor={editor} onClose={() => unlessUnsaved('Discard and close', editor.close)} />
      </div>
      <NameDialog request={nameRequest} onClose={() => setNameRequest(null)} />
      <DeleteDialog target={deleteTarget} remove={remove} onClose={() => setDeleteTarget(null)} />
      <ConfirmDialog
        open={pendingDiscard !== null}
        title="Discard unsaved changes?"
        confirmLabel={pendingDiscard?.label ?? 'Discard'}
        danger
        onCancel={() => setPendingDiscard(null)}
        onConfirm={() => {
          pendingDiscard?.then();
          setPendingDiscard(null);
        }}
      >
        <p>Your changes to {openPath} are not saved.</p>
      </ConfirmDialog>
    </div>
  );
}
