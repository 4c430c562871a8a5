/** `*_hash_max_size` and `*_hash_bucket_size` for one kind of nginx hash (maps, server names). */
export interface HashSizing {
  maxSize: number;
  bucketSize: number;
}

const POINTER = 8;
const CACHE_LINE = 64;
/** nginx's own default for map and server-name buckets on 64-bit, which holds names up to ~110 characters. */
const MIN_BUCKET = 128;

const align = (value: number, to: number): number => Math.ceil(value / to) * to;

/**
 * Bytes one key takes in a bucket (nginx's `NGX_HASH_ELT_SIZE` on 64-bit): the value pointer, a
 * 2-byte length and the name, rounded up to a pointer.
 */
function entryBytes(key: string): number {
  return POINTER + align(Buffer.byteLength(key) + 2, POINTER);
}

/**
 * A hash maximum that fits the entries with room to spare. nginx searches for a table size
 * starting near this maximum when entries are many, so an oversized fixed value (262144) costs a
 * 2 MB bucket array per map at 10,000 sites; twice the entries keeps builds fast and memory small.
 */
export function hashMaxSize(entries = 0): number {
  return Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, entries) * 2)));
}

/**
 * Sizes an nginx hash from its keys. nginx refuses the whole configuration ("could not build
 * map_hash, you should increase map_hash_bucket_size") when one key does not fit a bucket with
 * the bucket's end pointer (`ngx_hash_init`), so the bucket is computed from the longest key: it
 * holds that key and three keys of average length, plus the end pointer, in whole cache lines
 * (nginx rounds up to the cache line anyway). Room for several keys lets nginx find a table size
 * where no bucket overflows, instead of warning and building an unoptimised table. The bucket is
 * a limit, not an allocation: nginx allocates only what each bucket holds, so a larger limit for
 * one long name costs the others nothing. One 253-character name among many short ones gives
 * 384-byte buckets; only 253-character names, 1088.
 */
export function hashSizing(keys: readonly string[]): HashSizing {
  let longest = 0;
  let total = 0;
  for (const key of keys) {
    const bytes = entryBytes(key);
    longest = Math.max(longest, bytes);
    total += bytes;
  }
  const average = keys.length === 0 ? 0 : Math.ceil(total / keys.length);
  return {
    maxSize: hashMaxSize(keys.length),
    bucketSize: Math.max(MIN_BUCKET, align(POINTER + longest + 3 * average, CACHE_LINE)),
  };
}
