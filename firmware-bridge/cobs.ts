/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a frame so
 * that 0x00 can delimit frames on the wire. Overhead is at most one byte per 254, plus one.
 * Both functions write into caller-supplied buffers: no allocation per byte or per frame.
 */

/** Largest encoded size of n bytes (without the 0x00 delimiter). */
export function cobsMaxEncoded(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

/** Encodes src[0, n) into dst at `at`; returns the index after the last byte written. */
export function cobsEncode(src: Uint8Array, n: number, dst: Uint8Array, at = 0): number {
  let codeAt = at;
  let out = at + 1;
  let code = 1;
  for (let i = 0; i < n; i++) {
    const b = src[i]!;
    if (b === 0) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
    } else {
      dst[out++] = b;
      code++;
      if (code === 0xff) {
        dst[codeAt] = code;
        codeAt = out++;
        code = 1;
      }
    }
  }
  dst[codeAt] = code;
  return out;
}

/**
 * Decodes src[0, n) (without the delimiter) into dst (which may be src itself: the output never
 * overtakes the input); returns the decoded length,
 * or -1 - i when byte i is not valid COBS (a 0x00 inside, or a code running past the end).
 */
export function cobsDecode(src: Uint8Array, n: number, dst: Uint8Array): number {
  let i = 0;
  let out = 0;
  while (i < n) {
    const code = src[i]!;
    if (code === 0 || i + code > n) return -1 - i;
    i++;
    for (let k = 1; k < code; k++) {
      const b = src[i++]!;
      if (b === 0) return -i;
      dst[out++] = b;
    }
    if (code !== 0xff && i < n) dst[out++] = 0;
  }
  return out;
}
