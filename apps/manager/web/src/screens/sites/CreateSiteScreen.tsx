import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { createSiteRequestSchema, checkSiteName } from '@dais/shared/rules';
import { Link, navigate } from '../../app/router';
import { manager } from '../../api/client';
import { usePlatform } from '../../api/platform';
import { useAction, useApi } from '../../api/use-api';
import type { ImageView, SiteView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

type SiteType = 'static' | 'dynamic';

/** New site: a name checked as you type (the server's rules), static or dynamic, and an image. */
export default function CreateSiteScreen(): ReactNode {
  const [name, setName] = useState('');
  const [type, setType] = useState<SiteType>('static');
  const [image, setImage] = useState('');
  const [description, setDescription] = useState('');
  const platform = usePlatform();
  const images = useApi<{ images: ImageView[] }>(type === 'dynamic' ? '/api/images' : null);
  const creating = useAction(async (request: Record<string, unknown>) => {
    const site = await manager.post<SiteView>('/api/sites', request);
    navigate(`/sites/${site.id}`);
  });

  const request = { name, type, description, ...(type === 'dynamic' && image ? { image } : {}) };
  const nameProblem = name === '' ? undefined : checkSiteName(name)?.message;
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (Object.keys(fieldProblems(createSiteRequestSchema, request)).length > 0) return;
    void creating.run(request);
  };
  const problems = fieldProblems(createSiteRequestSchema, request);
  const imageChoices = images.data?.images ?? [];

  return (
    <section className="narrow">
      <p className="breadcrumb">
        <Link to="/sites">Sites</Link> / New site
      </p>
      <h1>Create a site</h1>
      <form className="card form" onSubmit={submit} noValidate>
        <Field
          label="Name"
          name="name"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={name}
          onChange={(event) => setName(event.target.value.toLowerCase())}
          error={nameProblem ?? creating.error?.issueFor('name')}
          hint={
            <>
              Your site will be at {name && !nameProblem ? <strong>{name}</strong> : 'name'}.{platform?.sitesDomain ?? 'the sites domain'}.
              Lowercase letters, digits and hyphens; 2–32 characters.
            </>
          }
        />
        <fieldset className="choice">
          <legend>Type</legend>
          <label>
            <input type="radio" name="type" value="static" checked={type === 'static'} onChange={() => setType('static')} /> Static — files
            served as they are
          </label>
          <label>
            <input type="radio" name="type" value="dynamic" checked={type === 'dynamic'} onChange={() => setType('dynamic')} /> Dynamic —
            runs your program (run.sh) in a container
          </label>
        </fieldset>
        {type === 'dynamic' ? (
          <div className="field">
            <label htmlFor="site-image">Image</label>
            <select id="site-image" value={image} onChange={(event) => setImage(event.target.value)} aria-describedby="site-image-hint">
              <option value="">The default image</option>
              {imageChoices.map((choice) => (
                <option key={choice.id} value={choice.name}>
                  {choice.name}
                  {choice.description ? ` — ${choice.description}` : ''}
                </option>
              ))}
            </select>
            <div className="field-hint" id="site-image-hint">
              {images.loading ? 'Loading the image catalogue…' : 'Extra packages can be added in the site settings later.'}
            </div>
            {creating.error?.issueFor('image') ? <div className="field-error">{creating.error.issueFor('image')}</div> : null}
          </div>
        ) : null}
        <Field
          label="Description (optional)"
          name="description"
          value={description}
          maxLength={500}
          onChange={(event) => setDescription(event.target.value)}
          error={problems.description ?? creating.error?.issueFor('description')}
        />
        <ErrorNotice error={creating.error} fields={['name', 'image', 'description']} />
        <div className="form-actions">
          <Link to="/sites" className="button button-secondary">
            Cancel
          </Link>
          <Button type="submit" variant="primary" busy={creating.busy} disabled={name === '' || Object.keys(problems).length > 0}>
            Create site
          </Button>
        </div>
      </form>
    </section>
  );
}
