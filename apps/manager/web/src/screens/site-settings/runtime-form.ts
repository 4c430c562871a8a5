import type { UpdateSiteRequest } from '@dais/shared/rules';
import type { SiteView } from '../../api/types';

/** One row of the environment editor (rows, not a record, so a half-typed name keeps its place). */
export interface EnvRow {
  key: number;
  name: string;
  value: string;
}

/** What the runtime section edits, as the person sees it. */
export interface RuntimeDraft {
  type: 'static' | 'dynamic';
  image: string;
  /** Package names separated by spaces, commas or new lines. */
  packagesText: string;
  env: EnvRow[];
}

let nextRowKey = 1;

export function envRow(name = '', value = ''): EnvRow {
  return { key: nextRowKey++, name, value };
}

export function draftOf(site: SiteView): RuntimeDraft {
  const runtime = site.runtime;
  return {
    type: site.type,
    image: runtime?.image ?? '',
    packagesText: (runtime?.packages ?? []).join(' '),
    env: Object.entries(runtime?.env ?? {}).map(([name, value]) => envRow(name, value)),
  };
}

export function packagesOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((name) => name !== '');
}

/** Rows with a name (an empty row is a row being added, not a variable). */
export function envOf(rows: readonly EnvRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((row) => row.name !== '').map((row) => [row.name, row.value]));
}

/**
 * The PATCH for what changed. A static site sends only its type (image, packages and env are for
 * dynamic sites); a dynamic one sends each field that differs from the site.
 */
export function changesOf(site: SiteView, draft: RuntimeDraft): UpdateSiteRequest {
  if (draft.type === 'static') return site.type === 'static' ? {} : { type: 'static' };
  const runtime = site.runtime;
  const changes: UpdateSiteRequest = {};
  if (site.type !== 'dynamic') changes.type = 'dynamic';
  if (draft.image !== '' && draft.image !== runtime?.image) changes.image = draft.image;
  const packages = packagesOf(draft.packagesText);
  if (packages.join(' ') !== (runtime?.packages ?? []).join(' ')) changes.packages = packages;
  const env = envOf(draft.env);
  if (JSON.stringify(env) !== JSON.stringify(runtime?.env ?? {})) changes.env = env;
  return changes;
}
