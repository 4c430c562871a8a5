import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error';
import { filesApi, type FileEntry } from './files-api';
import { parentOf } from './file-paths';

/** One folder as the tree knows it: its entries once read, and whether a read is under way. */
export interface FolderListing {
  entries: readonly FileEntry[] | null;
  truncated: boolean;
  loading: boolean;
  error: ApiError | null;
}

export interface FolderTree {
  listings: Readonly<Record<string, FolderListing>>;
  expanded: ReadonlySet<string>;
  /** Opens or closes a folder; a folder is read the first time it opens (lazily). */
  toggle: (path: string) => void;
  /** Opens a folder and every folder above it. */
  expand: (path: string) => void;
  /** Reads a folder again (after a change here or a live event) if the tree has read it before. */
  refresh: (path: string) => void;
}

const EMPTY: FolderListing = { entries: null, truncated: false, loading: true, error: null };

/** The folders of a site's file tree, read lazily and kept fresh on demand. */
export function useFolderTree(siteId: number, initiallyExpanded: readonly string[]): FolderTree {
  const [listings, setListings] = useState<Record<string, FolderListing>>({});
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(initiallyExpanded));
  const tickets = useRef(new Map<string, number>());
  // Folders read at least once: a refresh of any other folder has nothing on screen to update.
  const listed = useRef(new Set<string>());

  const load = useCallback(
    (path: string) => {
      const ticket = (tickets.current.get(path) ?? 0) + 1;
      tickets.current.set(path, ticket);
      listed.current.add(path);
      setListings((current) => ({ ...current, [path]: { ...(current[path] ?? EMPTY), loading: true } }));
      filesApi.list(siteId, path).then(
        (list) => {
          if (tickets.current.get(path) !== ticket) return;
          setListings((current) => ({
            ...current,
            [path]: { entries: sortEntries(list.entries), truncated: list.truncated, loading: false, error: null },
          }));
        },
        (error: unknown) => {
          if (tickets.current.get(path) !== ticket) return;
          setListings((current) => ({ ...current, [path]: { ...(current[path] ?? EMPTY), loading: false, error: asApiError(error) } }));
        },
      );
    },
    [siteId],
  );

  const [firstOpen] = useState(initiallyExpanded);
  useEffect(() => firstOpen.forEach(load), [firstOpen, load]);

  const toggle = useCallback(
    (path: string) => {
      setExpanded((current) => {
        const next = new Set(current);
        if (next.has(path)) next.delete(path);
        else next.add(path);
        return next;
      });
      if (!expanded.has(path)) load(path);
    },
    [expanded, load],
  );

  const expand = useCallback(
    (path: string) => {
      const chain: string[] = [];
      for (let folder = path; ; folder = parentOf(folder)) {
        chain.push(folder);
        if (folder === '/') break;
      }
      const missing = chain.filter((folder) => !expanded.has(folder));
      if (missing.length === 0) return;
      setExpanded((current) => new Set([...current, ...missing]));
      missing.forEach(load);
    },
    [expanded, load],
  );

  const refresh = useCallback(
    (path: string) => {
      if (listed.current.has(path)) load(path);
    },
    [load],
  );

  return { listings, expanded, toggle, expand, refresh };
}

/** Folders first, then by name, as file managers show them. */
function sortEntries(entries: readonly FileEntry[]): FileEntry[] {
  return [...entries].sort((a, b) => {
    const folderFirst = Number(b.type === 'directory') - Number(a.type === 'directory');
    return folderFirst || a.name.localeCompare(b.name);
  });
}
