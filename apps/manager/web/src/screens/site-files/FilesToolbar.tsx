import type { ReactNode } from 'react';
import { Button } from '../../ui/Button';
import type { Selection } from './FileTree';
import { baseName, filesUrl } from './file-paths';
import { UploadButton } from './UploadPanel';
import type { Uploads } from './use-uploads';

interface FilesToolbarProps {
  siteId: number;
  /** Where new files, folders and uploads go. */
  folder: string;
  selected: Selection | null;
  uploads: Uploads;
  onNewFile: () => void;
  onNewFolder: () => void;
  onRename: (target: Selection) => void;
  onDelete: (target: Selection) => void;
}

/** What can be done here: make things in the current folder, and act on the selected entry. */
export function FilesToolbar(props: FilesToolbarProps): ReactNode {
  const { selected, siteId } = props;
  const isFolder = selected?.type === 'directory';
  return (
    <div className="files-toolbar">
      <p className="files-folder">
        Folder: <span className="mono">{props.folder}</span>
      </p>
      <div className="files-actions" role="group" aria-label="In this folder">
        <Button onClick={props.onNewFile}>New file</Button>
        <Button onClick={props.onNewFolder}>New folder</Button>
        <UploadButton uploads={props.uploads} folder={props.folder} />
      </div>
      {selected ? (
        <div className="files-actions" role="group" aria-label={`Selected: ${selected.path}`}>
          <span className="files-selected mono" title={selected.path}>
            {baseName(selected.path)}
          </span>
          <Button className="button-small" onClick={() => props.onRename(selected)}>
            Rename
          </Button>
          <Button className="button-small" variant="danger" onClick={() => props.onDelete(selected)}>
            Delete
          </Button>
          {selected.type === 'file' || isFolder ? (
            <a
              className="button button-secondary button-small"
              href={filesUrl(siteId, isFolder ? 'archive' : 'content', selected.path)}
              download={isFolder ? `${baseName(selected.path)}.zip` : baseName(selected.path)}
            >
              {isFolder ? 'Download as zip' : 'Download'}
            </a>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
