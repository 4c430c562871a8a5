/** A JSON value as PostgreSQL stores it (the same shape as Prisma's, whose rows are handed out as these). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key in string]?: JsonValue };

/** A catalogue image as services see it; the package commands are JSON arrays of argv strings, or null. */
export interface ImageRecord {
  id: number;
  name: string;
  baseImage: string;
  description: string;
  packageUpdate: JsonValue | null;
  packageInstall: JsonValue | null;
  runScript: string;
  createdAt: Date;
}
