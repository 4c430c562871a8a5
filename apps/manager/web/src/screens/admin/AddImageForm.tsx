import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { createImageRequestSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { ImageView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { TextAreaField } from '../../ui/Field';

const FIELDS = ['name', 'baseImage', 'description', 'packageUpdate', 'packageInstall', 'runScript'] as const;
const EMPTY = { name: '', baseImage: '', description: '', packageUpdate: '', packageInstall: '', runScript: '#!/bin/sh\nexec npm start\n' };

/** Words separated by spaces, one argument each (no shell quoting: commands run without a shell); empty = none. */
const argvFrom = (text: string): string[] | null => {
  const words = text.split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : null;
};

/** Adds an image to the catalogue, checked with the server's schema first. */
export function AddImageForm({ onAdded }: { onAdded: (image: ImageView) => void }): ReactNode {
  const [values, setValues] = useState(EMPTY);
  const [attempted, setAttempted] = useState(false);
  const request = { ...values, packageUpdate: argvFrom(values.packageUpdate), packageInstall: argvFrom(values.packageInstall) };
  const problems = fieldProblems(createImageRequestSchema, request);
  const add = useAction(async () => {
    onAdded(await manager.post<ImageView>('/api/images', request));
    setValues(EMPTY);
    setAttempted(false);
  });
  const problemOf = (field: (typeof FIELDS)[number]): string | undefined =>
    (attempted ? problems[field] : undefined) ?? add.error?.issueFor(field);
  const set = (field: keyof typeof EMPTY) => (value: string) => setValues((current) => ({ ...current, [field]: value }));
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length === 0) void add.run();
  };

  return (
    <details className="card admin-create">
      <summary>Add an image</summary>
      <form className="form narrow" onSubmit={submit} noValidate aria-label="Add an image">
        <Field
          label="Image name"
          value={values.name}
          onChange={(event) => set('name')(event.target.value)}
          error={problemOf('name')}
          hint="What sites ask for, e.g. node22."
        />
        <Field
          label="Base image"
          value={values.baseImage}
          onChange={(event) => set('baseImage')(event.target.value)}
          error={problemOf('baseImage')}
          hint="A Docker image reference, e.g. node:22-bookworm-slim."
        />
        <Field
          label="Description"
          value={values.description}
          onChange={(event) => set('description')(event.target.value)}
          error={problemOf('description')}
        />
        <Field
          label="Package update command"
          value={values.packageUpdate}
          onChange={(event) => set('packageUpdate')(event.target.value)}
          error={problemOf('packageUpdate')}
          hint="e.g. apt-get update — one argument per word, run without a shell; empty if not needed."
        />
        <Field
          label="Package install command"
          value={values.packageInstall}
          onChange={(event) => set('packageInstall')(event.target.value)}
          error={problemOf('packageInstall')}
          hint="e.g. apt-get install -y --no-install-recommends — the packages are appended."
        />
        <TextAreaField
          label="run.sh for new sites"
          rows={5}
          spellCheck={false}
          className="mono"
          value={values.runScript}
          onChange={(event) => set('runScript')(event.target.value)}
          error={problemOf('runScript')}
        />
        <ErrorNotice error={add.error} fields={FIELDS} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={add.busy}>
            Add image
          </Button>
        </div>
      </form>
    </details>
  );
}
