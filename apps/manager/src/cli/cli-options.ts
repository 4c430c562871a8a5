/** A command line the admin tool cannot act on; it prints the usage after the message. */
export class UsageError extends Error {}

/** Every option the admin tool takes (all strings). */
export const CLI_OPTIONS = [
  'username',
  'role',
  'name',
  'token-file',
  'file',
  'engine',
  'admin-host',
  'admin-port',
  'admin-user',
  'admin-password-file',
  'site-host',
  'site-port',
  'url',
  'peer-id',
  'public-key-file',
  'capacity',
  'runtime',
] as const;

/** Every flag the admin tool takes (present or not). */
export const CLI_FLAGS = ['stdin', 'force'] as const;

/** The option values of a command line, and the words after the command (`reset-password alice`). */
export type CliOptions = Partial<Record<(typeof CLI_OPTIONS)[number], string>> &
  Partial<Record<(typeof CLI_FLAGS)[number], boolean>> & { args?: readonly string[] };
