import { useId, type ReactNode } from 'react';
import type { ImageView } from '../../api/types';
import type { RuntimeDraft } from './runtime-form';

/** The catalogue image a dynamic site is built from, and the extra packages installed on top. */
export function ImagePackagesFields({
  draft,
  images,
  loadingImages,
  imageProblem,
  packagesProblem,
  onChange,
}: {
  draft: RuntimeDraft;
  images: readonly ImageView[];
  loadingImages: boolean;
  imageProblem: string | undefined;
  packagesProblem: string | undefined;
  onChange: (update: Partial<RuntimeDraft>) => void;
}): ReactNode {
  const id = useId();
  return (
    <>
      <div className={`field${imageProblem ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-image`}>Image</label>
        <select id={`${id}-image`} value={draft.image} onChange={(event) => onChange({ image: event.target.value })}>
          {images.length === 0 && draft.image ? <option value={draft.image}>{draft.image}</option> : null}
          {images.map((image) => (
            <option key={image.id} value={image.name}>
              {image.name}
              {image.description ? ` — ${image.description}` : ''}
            </option>
          ))}
        </select>
        {loadingImages ? <div className="field-hint">Loading the image catalogue…</div> : null}
        {imageProblem ? <div className="field-error">{imageProblem}</div> : null}
      </div>
      <div className={`field${packagesProblem ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-packages`}>Extra packages</label>
        <textarea
          id={`${id}-packages`}
          className="mono"
          rows={2}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="curl libpq-dev"
          value={draft.packagesText}
          onChange={(event) => onChange({ packagesText: event.target.value })}
          aria-invalid={packagesProblem ? true : undefined}
          aria-describedby={`${id}-packages-hint${packagesProblem ? ` ${id}-packages-error` : ''}`}
        />
        <div className="field-hint" id={`${id}-packages-hint`}>
          Separated by spaces or new lines, optionally with =version. Installed when the site's image is built.
        </div>
        {packagesProblem ? (
          <div className="field-error" id={`${id}-packages-error`} role="alert">
            {packagesProblem}
          </div>
        ) : null}
      </div>
    </>
  );
}
