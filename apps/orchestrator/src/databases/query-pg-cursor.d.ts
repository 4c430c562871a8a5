// pg-cursor ships no types; this is the part the SQL console uses.
declare module 'pg-cursor' {
  import type { Connection, CustomTypesConfig, FieldDef, Submittable } from 'pg';

  interface CursorConfig {
    rowMode?: 'array';
    types?: CustomTypesConfig;
  }

  /** What the server said about the statement so far (fields once described, command once complete). */
  interface CursorResult {
    fields: FieldDef[];
    command: string | null;
    rowCount: number | null;
  }

  /** Reads a statement's rows a batch at a time through a portal, so a huge result is never fetched whole. */
  class Cursor<Row = unknown> implements Submittable {
    constructor(text: string, values?: unknown[] | null, config?: CursorConfig);
    submit(connection: Connection): void;
    read(rows: number, callback: (error: Error | undefined, rows: Row[], result: CursorResult) => void): void;
    close(): Promise<void>;
  }

  export = Cursor;
}
