import type { ReactNode } from 'react';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Spinner } from '../../ui/Spinner';
import type { FileEntry } from './files-api';
import { joinPath } from './file-paths';
import type { FolderTree } from './use-folder-tree';

export interface Selection {
  path: string;
  type: FileEntry['type'];
}

interface FileTreeProps {
  tree: FolderTree;
  selected: Selection | null;
  openPath: string | null;
  dirty: boolean;
  onSelect: (selection: Selection) => void;
}

/** The site folder as a tree of buttons: a folder opens (read lazily) on click, a file opens in the editor. */
export function FileTree(props: FileTreeProps): ReactNode {
  return (
    <nav className="file-tree" aria-label="Files">
      <FolderEntries {...props} folder="/" depth={0} />
    </nav>
  );
}

function FolderEntries(props: FileTreeProps & { folder: string; depth: number }): ReactNode {
  const listing = props.tree.listings[props.folder];
  if (!listing || (listing.entries === null && listing.loading)) {
    return (
      <p className="file-tree-note" style={{ paddingLeft: indent(props.depth) }}>
        <Spinner label="" /> Reading…
      </p>
    );
  }
  if (listing.entries === null) return <ErrorNotice error={listing.error} />;
  return (
    <>
      {listing.error ? <ErrorNotice error={listing.error} /> : null}
      {listing.entries.length === 0 ? (
        <p className="file-tree-note" style={{ paddingLeft: indent(props.depth) }}>
          Empty folder
        </p>
      ) : (
        <ul className="file-tree-list">
          {listing.entries.map((entry) => (
            <EntryRow key={entry.name} {...props} entry={entry} />
          ))}
        </ul>
      )}
      {listing.truncated ? <p className="file-tree-note">Only the first 10,000 entries are shown.</p> : null}
    </>
  );
}

function EntryRow(props: FileTreeProps & { folder: string; depth: number; entry: FileEntry }): ReactNode {
  const { entry, tree, selected, depth } = props;
  const path = joinPath(props.folder, entry.name);
  const isFolder = entry.type === 'directory';
  const open = isFolder && tree.expanded.has(path);
  const isOpenFile = props.openPath === path;
  return (
    <li>
      <button
        type="button"
        className={`file-row${selected?.path === path ? ' file-row-selected' : ''}`}
        style={{ paddingLeft: indent(depth) }}
        aria-expanded={isFolder ? open : undefined}
        aria-current={isOpenFile ? 'true' : undefined}
        title={path}
        onClick={() => {
          props.onSelect({ path, type: entry.type });
          if (isFolder) tree.toggle(path);
        }}
      >
        <span className="file-row-icon" aria-hidden="true">
          {iconOf(entry.type, open)}
        </span>
        <span className="file-row-name">{entry.name}</span>
        {isOpenFile && props.dirty ? (
          <span className="file-row-dirty" title="Unsaved changes">
            ●<span className="visually-hidden"> (unsaved changes)</span>
          </span>
        ) : null}
        {entry.type === 'symlink' ? <span className="file-row-kind">link</span> : null}
      </button>
      {open ? <FolderEntries {...props} folder={path} depth={depth + 1} /> : null}
    </li>
  );
}

function iconOf(type: FileEntry['type'], open: boolean): string {
  if (type === 'directory') return open ? '▾' : '▸';
  if (type === 'symlink') return '↪';
  return '·';
}

function indent(depth: number): string {
  return `${0.5 + depth * 1}rem`;
}
