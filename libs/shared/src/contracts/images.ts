import { z } from 'zod';
import { imageReferenceSchema } from './runtime';
import { siteIdSchema } from './site-id';

/** One argument vector: a program and its arguments, run without a shell. */
export const argvSchema = z
  .array(
    z
      .string()
      .max(4_096, 'arguments must be at most 4096 characters')
      .refine((arg) => !arg.includes('\0'), 'arguments must not contain NUL'),
  )
  .min(1, 'a command needs at least the program to run')
  .max(64, 'a command may have at most 64 arguments')
  .refine((argv) => (argv[0] ?? '').length > 0, 'the program name must not be empty');

/**
 * A package name as package managers spell them, optionally pinned (`curl`, `libpq-dev`,
 * `python3.11`, `nodejs=18.19.0+dfsg-6`). It must start with a letter or digit, so it can never be
 * read as an option.
 */
export const packageNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9+._-]{0,99}(=[A-Za-z0-9.+:~_-]{1,100})?$/, 'must be a package name like curl or libpq-dev (optionally =version)');

/** Name of an image in the catalogue. */
export const imageNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and -, starting with a letter');

/** An image in the admin-managed catalogue, as the orchestrator needs it to build a site's image. */
export const imageCatalogEntrySchema = z.strictObject({
  name: imageNameSchema,
  baseImage: imageReferenceSchema,
  /** Refreshes package lists before installing (e.g. `["apt-get","update"]`); null if not needed. */
  packageUpdate: argvSchema.nullable(),
  /** Installs packages, which are appended as arguments (e.g. `["apt-get","install","-y","--no-install-recommends"]`). */
  packageInstall: argvSchema.nullable(),
  /** The `run.sh` a new dynamic site on this image starts with. */
  runScript: z.string().max(10_000),
});

/** Parsed form of {@link imageCatalogEntrySchema}. */
export type ImageCatalogEntry = z.output<typeof imageCatalogEntrySchema>;

/** `POST /v1/sites/:siteId/image`: build the site's own image from a catalogue image. */
export const siteImageBuildSchema = z.strictObject({
  siteId: siteIdSchema,
  base: imageCatalogEntrySchema,
  packages: z.array(packageNameSchema).max(100, 'at most 100 packages'),
  setupCommands: z.array(argvSchema).max(20, 'at most 20 setup commands'),
});

/** Parsed form of {@link siteImageBuildSchema}. */
export type SiteImageBuild = z.output<typeof siteImageBuildSchema>;

/**
 * One line of the newline-delimited JSON the image build answers with, as it happens: log lines
 * (and `queued` while it waits for a free build slot on the host: `ahead` builds must finish
 * first), then `done` with the image to run, or `error` (the site keeps its old image).
 */
export const imageBuildEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('log'), line: z.string() }),
  z.strictObject({ type: z.literal('queued'), ahead: z.number().int().positive() }),
  z.strictObject({ type: z.literal('done'), image: z.string(), cached: z.boolean() }),
  z.strictObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

/** Parsed form of {@link imageBuildEventSchema}. */
export type ImageBuildEvent = z.output<typeof imageBuildEventSchema>;
