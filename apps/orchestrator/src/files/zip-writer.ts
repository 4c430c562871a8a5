import { crc32 } from 'node:zlib';

/** One entry already written, remembered for the central directory. */
interface WrittenEntry {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  dosTime: number;
  dosDate: number;
  directory: boolean;
}

/** Zip's own limits without the zip64 extension: the archive caps keep every archive under them. */
export const ZIP_MAX_BYTES = 0xffff_fffe;
export const ZIP_MAX_ENTRIES = 0xfffe;

const UTF8_NAMES_AND_DESCRIPTOR = 0x0808;

/**
 * A streaming, store-only (uncompressed) zip writer: each entry's data is yielded as it is read,
 * followed by a data descriptor carrying its CRC and size, so nothing is buffered whole. Enough
 * for downloading a folder; no compression (site files are mostly already compressed or small).
 */
export class ZipWriter {
  private readonly entries: WrittenEntry[] = [];
  private offset = 0;

  /** Yields the bytes of one file entry, reading its content from `content`. */
  async *file(name: string, mtime: Date, content: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    const entry = this.begin(name, mtime, false);
    yield this.localHeader(entry);
    let crc = 0;
    for await (const chunk of content) {
      const bytes = Buffer.from(chunk);
      crc = crc32(bytes, crc);
      entry.size += bytes.length;
      this.offset += bytes.length;
      if (this.offset > ZIP_MAX_BYTES) throw new RangeError('The archive grew past 4 GiB.');
      yield bytes;
    }
    entry.crc = crc;
    yield this.descriptor(entry);
  }

  /** Yields the bytes of one folder entry (`name` ends with `/`). */
  *directory(name: string, mtime: Date): Generator<Buffer> {
    const entry = this.begin(name.endsWith('/') ? name : `${name}/`, mtime, true);
    yield this.localHeader(entry);
    yield this.descriptor(entry);
  }

  /** Yields the central directory; the archive is complete after it. */
  *finish(): Generator<Buffer> {
    const start = this.offset;
    for (const entry of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(0x031e, 4); // made by: Unix, spec 3.0
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(UTF8_NAMES_AND_DESCRIPTOR, 8);
      header.writeUInt16LE(0, 10); // stored
      header.writeUInt16LE(entry.dosTime, 12);
      header.writeUInt16LE(entry.dosDate, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(entry.size, 20);
      header.writeUInt32LE(entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      header.writeUInt32LE(((entry.directory ? 0o40755 : 0o100644) << 16) >>> 0, 38);
      header.writeUInt32LE(entry.offset, 42);
      this.offset += header.length + entry.name.length;
      yield Buffer.concat([header, entry.name]);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    yield end;
  }

  private begin(name: string, mtime: Date, directory: boolean): WrittenEntry {
    if (this.entries.length >= ZIP_MAX_ENTRIES) throw new RangeError('Too many entries for a zip without zip64.');
    const { dosTime, dosDate } = dosDateTime(mtime);
    const entry = { name: Buffer.from(name, 'utf8'), crc: 0, size: 0, offset: this.offset, dosTime, dosDate, directory };
    this.entries.push(entry);
    return entry;
  }

  private localHeader(entry: WrittenEntry): Buffer {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(UTF8_NAMES_AND_DESCRIPTOR, 6);
    header.writeUInt16LE(0, 8);
    header.writeUInt16LE(entry.dosTime, 10);
    header.writeUInt16LE(entry.dosDate, 12);
    header.writeUInt16LE(entry.name.length, 26);
    this.offset += header.length + entry.name.length;
    return Buffer.concat([header, entry.name]);
  }

  private descriptor(entry: WrittenEntry): Buffer {
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc, 4);
    descriptor.writeUInt32LE(entry.size, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    this.offset += descriptor.length;
    return descriptor;
  }
}

/** MS-DOS date and time, as zip stores them (local time, 2-second steps, 1980 at the earliest). */
function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  const year = Math.max(1980, Math.min(2107, date.getFullYear()));
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}
