import type { ReactNode } from 'react';
import type { ApiResource } from '../api/use-api';
import { ErrorNotice } from './ErrorNotice';
import { Loading } from './Spinner';

/**
 * The states of a list before its rows: why it could not be read, "Loading …" on the first read
 * (later reads keep the old rows on screen), and what an empty list means (`empty`, when `isEmpty`).
 */
export function ResourceStatus<T>({
  resource,
  what,
  isEmpty,
  empty,
}: {
  resource: ApiResource<T>;
  what: string;
  isEmpty?: boolean;
  empty?: ReactNode;
}): ReactNode {
  return (
    <>
      <ErrorNotice error={resource.error} />
      {resource.data === undefined && resource.loading ? <Loading what={what} /> : null}
      {resource.data !== undefined && isEmpty && empty ? <p className="empty">{empty}</p> : null}
    </>
  );
}
