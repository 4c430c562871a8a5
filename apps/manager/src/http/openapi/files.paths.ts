import {
  fileChmodSchema,
  fileDeleteSchema,
  fileFormUploadQuerySchema,
  fileFormUploadResultSchema,
  fileListSchema,
  fileMkdirSchema,
  filePathQuerySchema,
  fileRenameSchema,
  fileResultSchema,
  fileUploadQuerySchema,
  fileWriteSchema,
  FORM_UPLOAD_FILE_FIELD,
  FORM_UPLOAD_MAX_FILES,
} from '@dais/shared';
import { body, changing, common, error, ok, queryParameters, siteNotFound, type PathItems } from './fragments';

const siteId = [{ name: 'id', in: 'path', required: true, description: "The site's id.", schema: { type: 'integer', minimum: 1 } }];
const refused = {
  '403': error(
    'The path leads outside the site folder or through a link, or asks for setuid/setgid/sticky (PATH_FORBIDDEN); the site is disabled (SITE_LOCKED); or CSRF_FAILED.',
  ),
  '404': error('No such site or not a member (SITE_NOT_FOUND), or no such file (FILE_NOT_FOUND).'),
  '409': error(
    "The entry exists (FILE_EXISTS), a folder is not empty (DIRECTORY_NOT_EMPTY), or is / is not a folder; or, for a change, the site's disk is full (SITE_DISK_FULL: the message names its limit, also in details.limitMb; delete files or ask an admin to raise it).",
  ),
};
const reading = { ...common, ...siteNotFound, ...refused };
const change = (summary: string, schema: Parameters<typeof body>[0], description: string) => ({
  post: {
    summary,
    description,
    requestBody: body(schema),
    responses: { '200': ok('The entry after the change (absent after a delete).', fileResultSchema), ...changing, ...refused },
  },
});
const download = (summary: string, type: string, extra: Record<string, unknown> = {}) => ({
  summary,
  parameters: queryParameters(filePathQuerySchema),
  responses: {
    '200': { description: 'The content, as an attachment.', content: { [type]: { schema: { type: 'string', format: 'binary' } } } },
    ...reading,
    ...extra,
  },
});

/** A site's files, for its members and admins (see docs/files.md for the confinement rules). */
export const filePaths: PathItems = {
  '/api/sites/{id}/files': {
    parameters: siteId,
    get: {
      summary: 'List a folder of the site',
      parameters: queryParameters(filePathQuerySchema),
      responses: { '200': ok('The entries, by name (links listed as links).', fileListSchema), ...reading },
    },
  },
  '/api/sites/{id}/files/stat': {
    parameters: siteId,
    get: {
      summary: 'Describe one entry (a link as a link)',
      parameters: queryParameters(filePathQuerySchema),
      responses: { '200': ok('The entry.', fileResultSchema), ...reading },
    },
  },
  '/api/sites/{id}/files/content': {
    parameters: siteId,
    get: download('Download a file', 'application/octet-stream'),
    put: {
      summary: 'Upload a file (the body is the file, application/octet-stream)',
      description: 'Replaces the file atomically; refused with 413 past the upload limit before anything is stored.',
      parameters: queryParameters(fileUploadQuerySchema),
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '200': ok('The stored file.', fileResultSchema),
        ...changing,
        ...refused,
        '413': error('Larger than the upload limit, which the message names (FILE_TOO_LARGE).'),
        '415': error('The body is not application/octet-stream (UNSUPPORTED_MEDIA_TYPE).'),
      },
    },
  },
  '/api/sites/{id}/files/upload': {
    parameters: siteId,
    post: {
      summary: 'Upload files from a form into a folder (multipart/form-data)',
      description:
        `Every part is a file sent in the form field "${FORM_UPLOAD_FILE_FIELD}" (at most ${FORM_UPLOAD_MAX_FILES}), stored under its own file name ` +
        'in the folder `path`. The file name must be one name: no "/", not "." or "..", no NUL or control characters, at most 255 bytes. ' +
        'All files are stored or none: a refused name, an existing file without overwrite, or the size limit stores nothing.',
      parameters: queryParameters(fileFormUploadQuerySchema),
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: [FORM_UPLOAD_FILE_FIELD],
              properties: { [FORM_UPLOAD_FILE_FIELD]: { type: 'array', items: { type: 'string', format: 'binary' } } },
              additionalProperties: false,
            },
          },
        },
      },
      responses: {
        '200': ok('The folder and the stored files, in the order sent.', fileFormUploadResultSchema),
        ...changing,
        ...refused,
        '400': error(
          'The input breaks a rule: a part is not a file, is not in the field "file" or is sent twice (VALIDATION_FAILED), or its file name is not one valid name (PATH_INVALID).',
        ),
        '413': error(
          `The whole body is larger than the upload limit, which the message names (FILE_TOO_LARGE), or holds more than ${FORM_UPLOAD_MAX_FILES} files (PAYLOAD_TOO_LARGE).`,
        ),
        '415': error('The body is not multipart/form-data with a valid boundary (UNSUPPORTED_MEDIA_TYPE).'),
      },
    },
  },
  '/api/sites/{id}/files/archive': {
    parameters: siteId,
    get: download('Download a folder as a zip (files and folders; links left out)', 'application/zip', {
      '413': error('The folder holds more files or bytes than one download may (FILE_TOO_LARGE).'),
    }),
  },
  '/api/sites/{id}/files/write': {
    parameters: siteId,
    ...change(
      'Write a whole file from text or base64',
      fileWriteSchema,
      'As the editor saves a file: written beside it, then renamed over it.',
    ),
  },
  '/api/sites/{id}/files/mkdir': { parameters: siteId, ...change('Make a folder', fileMkdirSchema, 'Its parent must exist.') },
  '/api/sites/{id}/files/rename': {
    parameters: siteId,
    ...change('Move or rename an entry', fileRenameSchema, 'Replacing an existing entry needs overwrite: true.'),
  },
  '/api/sites/{id}/files/delete': {
    parameters: siteId,
    ...change(
      'Delete a file, link or folder',
      fileDeleteSchema,
      'A folder with content needs recursive: true and confirm repeating the path.',
    ),
  },
  '/api/sites/{id}/files/chmod': {
    parameters: siteId,
    ...change('Change permission bits', fileChmodSchema, 'setuid, setgid and sticky bits are refused; links and hard-linked files too.'),
  },
};
