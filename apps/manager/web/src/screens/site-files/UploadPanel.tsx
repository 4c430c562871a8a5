import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { Button } from '../../ui/Button';
import { formatBytes } from '../../ui/format';
import type { UploadItem, Uploads } from './use-uploads';

/**
 * Takes files dropped anywhere on `children` (the file tree) into `folder`, with a visible target
 * while something is dragged over it.
 */
export function UploadDropZone({ uploads, folder, children }: { uploads: Uploads; folder: string; children: ReactNode }): ReactNode {
  const [over, setOver] = useState(false);
  const carriesFiles = (event: DragEvent): boolean => event.dataTransfer.types.includes('Files');
  return (
    <div
      className={`upload-drop${over ? ' upload-drop-over' : ''}`}
      data-testid="upload-drop"
      onDragOver={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const files = [...event.dataTransfer.files];
        if (files.length > 0) uploads.add(files, folder);
      }}
    >
      {children}
      <p className="upload-drop-hint" aria-hidden={!over}>
        {over ? <>Drop to upload into {folder}</> : <>Drop files here to upload into {folder}</>}
      </p>
    </div>
  );
}

/** The "Upload files" button (a real file picker) for the toolbar. */
export function UploadButton({ uploads, folder }: { uploads: Uploads; folder: string }): ReactNode {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button onClick={() => input.current?.click()}>Upload files</Button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label={`Files to upload into ${folder}`}
        data-testid="upload-input"
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          event.currentTarget.value = '';
          if (files.length > 0) uploads.add(files, folder);
        }}
      />
    </>
  );
}

/** One progress bar and outcome per file. */
export function UploadList({ uploads }: { uploads: Uploads }): ReactNode {
  if (uploads.items.length === 0) return null;
  const finished = uploads.items.some((item) => item.state !== 'waiting' && item.state !== 'sending');
  return (
    <section className="upload-list" aria-label="Uploads">
      <ul>
        {uploads.items.map((item) => (
          <UploadRow key={item.id} item={item} />
        ))}
      </ul>
      {finished ? (
        <Button variant="ghost" className="button-small" onClick={uploads.clearFinished}>
          Clear finished uploads
        </Button>
      ) : null}
    </section>
  );
}

function UploadRow({ item }: { item: UploadItem }): ReactNode {
  const label = `Upload of ${item.name}`;
  return (
    <li className={`upload-row upload-${item.state}`} data-upload-state={item.state}>
      <span className="upload-name">{item.name}</span>
      <progress max={Math.max(item.size, 1)} value={item.state === 'done' ? Math.max(item.size, 1) : item.loaded} aria-label={label} />
      <span className="upload-status" role={item.state === 'refused' || item.state === 'failed' ? 'alert' : undefined}>
        {statusOf(item)}
      </span>
    </li>
  );
}

function statusOf(item: UploadItem): string {
  switch (item.state) {
    case 'waiting':
      return 'Waiting…';
    case 'sending':
      return `${formatBytes(item.loaded)} of ${formatBytes(item.size)}`;
    case 'done':
      return `Uploaded to ${item.folder}`;
    case 'refused':
    case 'failed':
      return item.message ?? 'Not uploaded.';
  }
}
