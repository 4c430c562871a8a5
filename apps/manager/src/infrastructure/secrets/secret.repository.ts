import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import type { SecretColumn, SecretPlace } from './sealed-secret';

/** One stored secret and where it is kept. */
export interface StoredSecret {
  place: SecretPlace;
  stored: string;
}

/** A row's secrets, all rewritten together (a site's secrets are one JSON value). */
export interface SecretRow {
  column: SecretColumn;
  rowId: number;
  secrets: StoredSecret[];
}

/** The columns that hold secrets, in the order upkeep walks them. */
export const SECRET_COLUMNS: readonly SecretColumn[] = ['DatabaseHost.adminPassword', 'SiteDatabase.password', 'Site.secrets'];

/**
 * Every secret the manager keeps, across tables, for the upkeep of the keys: which key seals how
 * many, and rewriting them in batches. Writes are conditional on the value read, so a secret
 * changed meanwhile by a user is never overwritten, and two processes doing the same work agree.
 */
@Injectable()
export class SecretRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** How many secrets each key id seals; under `null`, the secrets not sealed at all. */
  async countByKey(): Promise<Map<string | null, number>> {
    const rows = await this.prisma.$queryRaw<{ key: string | null; count: number }[]>`
      SELECT CASE WHEN left(v, 3) = 's1:' THEN split_part(v, ':', 2) END AS key, count(*)::int AS count
        FROM (SELECT value AS v FROM "Site", jsonb_each_text("secrets")
              UNION ALL SELECT "password" FROM "SiteDatabase"
              UNION ALL SELECT "adminPassword" FROM "DatabaseHost") AS stored
       GROUP BY 1`;
    return new Map(rows.map((row) => [row.key, row.count]));
  }

  /** Up to `limit` secrets whose stored value starts with `prefix`. */
  async startingWith(prefix: string, limit: number): Promise<StoredSecret[]> {
    const rows = await this.prisma.$queryRaw<{ col: SecretColumn; id: number; name: string | null; stored: string }[]>`
      SELECT * FROM (
        SELECT 'DatabaseHost.adminPassword' AS col, id, NULL AS name, "adminPassword" AS stored FROM "DatabaseHost"
         WHERE left("adminPassword", length(${prefix})) = ${prefix}
        UNION ALL SELECT 'SiteDatabase.password', "siteId", NULL, "password" FROM "SiteDatabase"
         WHERE left("password", length(${prefix})) = ${prefix}
        UNION ALL SELECT 'Site.secrets', id, key, value FROM "Site", jsonb_each_text("secrets")
         WHERE left(value, length(${prefix})) = ${prefix}) AS found
      LIMIT ${limit}`;
    return rows.map((row) => ({
      stored: row.stored,
      place: { column: row.col, rowId: row.id, ...(row.name === null ? {} : { name: row.name }) },
    }));
  }

  /** The next rows of a column, after `afterRowId`, holding a secret whose stored value does not start with `prefix`. */
  async rowsNotStartingWith(column: SecretColumn, prefix: string, afterRowId: number, limit: number): Promise<SecretRow[]> {
    const single = (rows: { id: number; stored: string }[]): SecretRow[] =>
      rows.map((row) => ({ column, rowId: row.id, secrets: [{ stored: row.stored, place: { column, rowId: row.id } }] }));
    switch (column) {
      case 'DatabaseHost.adminPassword':
        return single(
          await this.prisma.$queryRaw`
          SELECT id, "adminPassword" AS stored FROM "DatabaseHost"
           WHERE id > ${afterRowId} AND left("adminPassword", length(${prefix})) <> ${prefix} ORDER BY id LIMIT ${limit}`,
        );
      case 'SiteDatabase.password':
        return single(
          await this.prisma.$queryRaw`
          SELECT "siteId" AS id, "password" AS stored FROM "SiteDatabase"
           WHERE "siteId" > ${afterRowId} AND left("password", length(${prefix})) <> ${prefix} ORDER BY "siteId" LIMIT ${limit}`,
        );
      case 'Site.secrets': {
        const rows = await this.prisma.$queryRaw<{ id: number; secrets: Record<string, string> }[]>`
          SELECT id, "secrets" FROM "Site"
           WHERE id > ${afterRowId} AND EXISTS (SELECT 1 FROM jsonb_each_text("secrets") AS e WHERE left(e.value, length(${prefix})) <> ${prefix})
           ORDER BY id LIMIT ${limit}`;
        return rows.map((row) => ({
          column,
          rowId: row.id,
          secrets: Object.entries(row.secrets).map(([name, stored]) => ({ stored, place: { column, rowId: row.id, name } })),
        }));
      }
    }
  }

  /** Writes new stored values for a row's secrets (same order) if the row still holds what was read; true if it did. */
  async replace(row: SecretRow, next: readonly string[]): Promise<boolean> {
    const before = row.secrets.map((secret) => secret.stored);
    let changed: number;
    switch (row.column) {
      case 'DatabaseHost.adminPassword':
        changed = await this.prisma.$executeRaw`
          UPDATE "DatabaseHost" SET "adminPassword" = ${next[0]} WHERE id = ${row.rowId} AND "adminPassword" = ${before[0]}`;
        break;
      case 'SiteDatabase.password':
        changed = await this.prisma.$executeRaw`
          UPDATE "SiteDatabase" SET "password" = ${next[0]} WHERE "siteId" = ${row.rowId} AND "password" = ${before[0]}`;
        break;
      case 'Site.secrets': {
        const json = (values: readonly (string | undefined)[]) =>
          JSON.stringify(Object.fromEntries(row.secrets.map((secret, index) => [secret.place.name, values[index]])));
        // Not through the Site model: rewriting the same secrets is not a change of the site (updatedAt).
        changed = await this.prisma.$executeRaw`
          UPDATE "Site" SET "secrets" = ${json(next)}::jsonb WHERE id = ${row.rowId} AND "secrets" = ${json(before)}::jsonb`;
        break;
      }
    }
    return changed === 1;
  }
}
