import { z } from 'zod';

/** Bounds of a site's disk limit, in MiB (1 MiB = 1,048,576 bytes): 16 MiB to 1 TiB. */
export const DISK_LIMIT_BOUNDS = { min: 16, max: 1_048_576 } as const;

/** The disk limit of a site when the admin configured no default (`DAIS_SITE_DISK_LIMIT_MB`). */
export const DEFAULT_DISK_LIMIT_MB = 1_024;

/** A site's disk limit in MiB: the most its files may take, whoever writes them. */
export const diskLimitMbSchema = z
  .number({ error: 'diskLimitMb must be a number of MiB' })
  .int('diskLimitMb must be a whole number of MiB')
  .min(DISK_LIMIT_BOUNDS.min, `diskLimitMb must be at least ${DISK_LIMIT_BOUNDS.min} MiB`)
  .max(DISK_LIMIT_BOUNDS.max, `diskLimitMb must be at most ${DISK_LIMIT_BOUNDS.max} MiB`);

/** How much of its disk limit a site uses, as its host measures it now. */
export const siteDiskUsageSchema = z.strictObject({
  usedBytes: z.number().int().nonnegative(),
  limitBytes: z.number().int().nonnegative(),
});

/** Parsed form of {@link siteDiskUsageSchema}. */
export type SiteDiskUsage = z.output<typeof siteDiskUsageSchema>;
