import { ApiError } from '../../api/api-error';

/**
 * A refusal of a site action in the words the overview uses: a busy site (409 SITE_BUSY) means
 * another operation is running, which the person can wait for; anything else is the server's message.
 */
export function siteActionError(error: ApiError | null): ApiError | null {
  if (error?.code !== 'SITE_BUSY') return error;
  return new ApiError(
    error.status,
    error.code,
    `Another operation is running on this site; wait for it to finish, then try again. (${error.message})`,
    error.issues,
    error.details,
  );
}
