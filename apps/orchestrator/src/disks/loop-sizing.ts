/** Bytes in a MiB. */
export const MIB = 1024 * 1024;

/**
 * Size in MiB of the image file that holds a site with a limit of `limitMb`, chosen so the ext4
 * filesystem made on it (4 KiB blocks, an inode per 8 KiB, a 4 MiB journal, no reserved blocks)
 * stores at least `limitMb` of files, whether made at that size or grown or shrunk to it: ext4
 * keeps ~3.3 % for inode tables and group metadata (more in a partial last group), the journal,
 * and holds back 2 % (at most 16 MiB) for delayed allocation. Measured from 16 MiB to 1 TiB: the
 * site can store its limit plus 2–4 MiB on small limits and up to ~0.8 % more on large ones.
 */
export function imageMibFor(limitMb: number): number {
  return Math.ceil(limitMb * 1.04 + Math.min(limitMb * 0.021, 17) + 8);
}

/**
 * The limit an image of `imageBytes` was made for: the largest limit whose image fits, so
 * `limitOfImage(imageMibFor(x) * MIB) === x` (imageMibFor only grows with the limit).
 */
export function limitOfImage(imageBytes: number): number {
  const imageMib = Math.floor(imageBytes / MIB);
  let low = 0;
  let high = imageMib;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (imageMibFor(middle) <= imageMib) low = middle;
    else high = middle - 1;
  }
  return low;
}
