/** Reads the page cursors kept in the URL (`pages=12.7`): the way back through a cursor-paged list. */
export function cursorsFrom(query: URLSearchParams): number[] {
  return (query.get('pages') ?? '')
    .split('.')
    .filter(Boolean)
    .map(Number)
    .filter((cursor) => Number.isInteger(cursor) && cursor > 0);
}

/** A URL of an admin section with its filters and page cursors (empty values left out). */
export function sectionUrl(section: string, filters: Record<string, string>, cursors: readonly number[] = []): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  if (cursors.length > 0) params.set('pages', cursors.join('.'));
  const text = params.toString();
  return text ? `/admin/${section}?${text}` : `/admin/${section}`;
}

/** An API path with query parameters (empty ones left out). */
export function apiPath(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
