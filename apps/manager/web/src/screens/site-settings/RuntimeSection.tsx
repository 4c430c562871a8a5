import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { packageNameSchema, envNameSchema } from '@dais/shared/rules';
import { useApi } from '../../api/use-api';
import type { ImageView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useSite } from '../site/SiteFrame';
import { EnvEditor } from './EnvEditor';
import { ImagePackagesFields } from './ImagePackagesFields';
import { isUnderWay } from '../../operations/operation-labels';
import { changesOf, draftOf, packagesOf, type RuntimeDraft } from './runtime-form';
import { useSiteUpdate } from './use-site-update';

const RUNTIME_FIELDS = ['type', 'image', 'packages', 'env'] as const;

/** Static or dynamic, and for a dynamic site its image, extra packages and environment: applied by an update_site operation. */
export function RuntimeSection({ locked }: { locked: boolean }): ReactNode {
  const { site } = useSite();
  const [draft, setDraft] = useState<RuntimeDraft>(() => draftOf(site));
  const images = useApi<{ images: ImageView[] }>(draft.type === 'dynamic' ? '/api/images' : null);
  const saving = useSiteUpdate();
  const change = (update: Partial<RuntimeDraft>): void => {
    setDraft((current) => ({ ...current, ...update }));
    saving.clearError();
  };

  const imageChoices = images.data?.images ?? [];
  // A site turning dynamic needs an image: the first of the catalogue unless one is chosen.
  const effective = draft.type === 'dynamic' && draft.image === '' && imageChoices[0] ? { ...draft, image: imageChoices[0].name } : draft;
  const changes = changesOf(site, effective);
  const badPackage = packagesOf(draft.packagesText).find((name) => !packageNameSchema.safeParse(name).success);
  const packagesProblem = badPackage
    ? `"${badPackage}" ${packageNameSchema.safeParse(badPackage).error?.issues[0]?.message ?? ''}`
    : undefined;
  const names = draft.env.map((row) => row.name);
  const envProblem = (name: string): string | undefined =>
    envNameSchema.safeParse(name).error?.issues[0]?.message ??
    (names.indexOf(name) !== names.lastIndexOf(name) ? 'appears twice' : undefined) ??
    saving.error?.issueFor(`env.${name}`);
  const hasProblem = packagesProblem !== undefined || draft.env.some((row) => row.name !== '' && envProblem(row.name) !== undefined);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (hasProblem || Object.keys(changes).length === 0) return;
    void saving.run(changes);
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="runtime-title">
      <h3 id="runtime-title">What the site runs</h3>
      <fieldset className="choice">
        <legend>Type</legend>
        <label>
          <input type="radio" name="site-type" checked={draft.type === 'static'} onChange={() => change({ type: 'static' })} /> Static —
          files served as they are
        </label>
        <label>
          <input type="radio" name="site-type" checked={draft.type === 'dynamic'} onChange={() => change({ type: 'dynamic' })} /> Dynamic —
          runs your program (run.sh) in a container
        </label>
        {saving.error?.issueFor('type') ? <div className="field-error">{saving.error.issueFor('type')}</div> : null}
      </fieldset>
      {draft.type === 'dynamic' ? (
        <>
          <ImagePackagesFields
            draft={effective}
            images={imageChoices}
            loadingImages={images.loading}
            packagesProblem={packagesProblem ?? saving.error?.issueFor('packages')}
            imageProblem={saving.error?.issueFor('image')}
            onChange={change}
          />
          <EnvEditor rows={draft.env} problems={envProblem} onChange={(env) => change({ env })} />
        </>
      ) : null}
      <ErrorNotice error={saving.error} fields={RUNTIME_FIELDS} />
      <div className="form-actions">
        {isUnderWay(site.operation) ? <span className="field-hint">Changes are being applied (see the overview).</span> : null}
        <Button type="submit" variant="primary" busy={saving.busy} disabled={locked || hasProblem || Object.keys(changes).length === 0}>
          Apply changes
        </Button>
      </div>
    </form>
  );
}
