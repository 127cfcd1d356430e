/**
 * LEB128, the variable-length integers of the WebAssembly binary format (sizes, indices and
 * immediates), for the modules engram writes out as bytes (philox-wasm.ts, the emulator's SIMD
 * kernels in targets/emulator/wasm/).
 */

/** Unsigned LEB128 of a non-negative integer below 2^53, appended to `out`. */
export function uleb(n: number, out: number[] = []): number[] {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an integer of magnitude below 2^53, appended to `out`. */
export function sleb(n: number, out: number[] = []): number[] {
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128); // arithmetic: floor keeps the sign for negatives
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
