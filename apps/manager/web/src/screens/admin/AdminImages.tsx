import type { ReactNode } from 'react';
import { useApi } from '../../api/use-api';
import type { ImageView } from '../../api/types';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { AddImageForm } from './AddImageForm';

/** Commands as people read them; each argument stays separate (they run without a shell). */
const commandText = (argv: readonly string[] | null): string => (argv ? argv.join(' ') : '—');

/** The catalogue of images dynamic sites run on. */
export function AdminImages(): ReactNode {
  const images = useApi<{ images: ImageView[] }>('/api/images');
  const list = images.data?.images ?? [];
  return (
    <div>
      <ResourceStatus
        resource={images}
        what="the image catalogue"
        isEmpty={list.length === 0}
        empty="The catalogue is empty: dynamic sites cannot be created yet."
      />
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Images">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Base image</th>
                <th scope="col">Package update</th>
                <th scope="col">Package install</th>
              </tr>
            </thead>
            <tbody>
              {list.map((image) => (
                <tr key={image.id}>
                  <td>
                    {image.name}
                    {image.description ? <div className="field-hint">{image.description}</div> : null}
                  </td>
                  <td>
                    <code>{image.baseImage}</code>
                  </td>
                  <td>
                    <code>{commandText(image.packageUpdate)}</code>
                  </td>
                  <td>
                    <code>{commandText(image.packageInstall)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AddImageForm onAdded={(image) => images.set((current) => ({ images: [...(current?.images ?? []), image] }))} />
    </div>
  );
}
