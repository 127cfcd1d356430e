/**
 * Forward error correction inside a frame (protocol 3; docs/serial-protocol.md, "Forward error
 * correction"). A frame's COBS-encoded bytes E (no 0x00 among them) are cut into blocks of
 * K = 255 - r bytes (the last one shorter); each block is a shortened Reed-Solomon codeword over
 * GF(2^8) (polynomial 0x11D, generator roots 2^0 .. 2^(r-1), as in QR codes) followed by its r
 * check bytes, packed 7 bits to a byte with the high bit set so that they contain no 0x00 either:
 *
 *     wire = E[0, K) || pack(check_0) || E[K, 2K) || pack(check_1) || ... || 0x00
 *
 * A receiver corrects up to r / 2 damaged bytes per block before it decodes COBS and checks the
 * CRC, so a frame survives a byte error rate that loses nearly every frame without it. Because the
 * code protects the COBS bytes themselves (not the decoded payload), a damaged COBS code byte is
 * repaired like any other byte instead of scrambling the rest of the frame.
 *
 * The decoder (error location by the Euclidean algorithm, Chien search, Forney) is @zxing/library's.
 * The encoder is written here because @zxing/library's encoder divides polynomials with an
 * allocation per step (about 2 ms per 255-byte codeword measured on this machine, too slow for
 * 921600 baud); the systematic encoder is a 16-line shift register over the same field, checked
 * against @zxing/library's in tests/bridge/fec.test.ts.
 */
// Only the Reed-Solomon files: the package's index loads every barcode reader (about 3 s of start-up
// on a loaded machine, against 0.15 s for these). CommonJS files with `export default`: under
// Node's ESM loader the class arrives as `.default` of the default export.
import GenericGFModule from "@zxing/library/cjs/core/common/reedsolomon/GenericGF.js";
import ReedSolomonDecoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonDecoder.js";

const GenericGF = GenericGFModule.default ?? GenericGFModule;
const ReedSolomonDecoder = ReedSolomonDecoderModule.default ?? ReedSolomonDecoderModule;

/** The check-byte counts r a frame may carry (0: no correction, the frame as in protocol 2). */
export const FEC_LEVELS = [0, 4, 8, 16, 32] as const;
export type FecLevel = (typeof FEC_LEVELS)[number];

const FIELD = GenericGF.QR_CODE_FIELD_256;
const decoder = new ReedSolomonDecoder(FIELD);

/** Wire bytes of r packed check bytes: 7 bits each. */
export function packedBytes(r: number): number {
  return Math.ceil((8 * r) / 7);
}

/** Data bytes per codeword at level r. */
export function blockData(r: number): number {
  return 255 - r;
}

/** Wire length (without the delimiter) of m COBS bytes sent at level r. */
export function fecWireLength(m: number, r: number): number {
  if (r === 0) return m;
  return m + Math.ceil(m / blockData(r)) * packedBytes(r);
}

/** Coefficients of g(x) = (x - 2^0)(x - 2^1)...(x - 2^(r-1)), highest degree first, leading 1 dropped. */
function generator(r: number): Uint8Array {
  let g = [1];
  for (let i = 0; i < r; i++) {
    const root = FIELD.exp(i);
    const next = new Array<number>(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] ^= g[j]!;
      next[j + 1] ^= FIELD.multiply(g[j]!, root);
    }
    g = next;
  }
  return Uint8Array.from(g.slice(1));
}

const LOG = Uint8Array.from({ length: 256 }, (_, v) => (v === 0 ? 0 : FIELD.log(v)));
const EXP = Uint8Array.from({ length: 510 }, (_, i) => FIELD.exp(i % 255));
const generators = new Map<number, Uint8Array>(FEC_LEVELS.filter((r) => r > 0).map((r) => [r, generator(r)]));

/**
 * The r check bytes of data[from, to) into check[0, r): the remainder of data(x) x^r divided by
 * g(x), by a shift register (written here: see the file comment).
 */
export function rsCheck(data: Uint8Array, from: number, to: number, r: number, check: Uint8Array): void {
  const g = generators.get(r)!;
  check.fill(0, 0, r);
  for (let i = from; i < to; i++) {
    const feedback = data[i]! ^ check[0]!;
    for (let j = 0; j < r - 1; j++) check[j] = check[j + 1]! ^ (feedback === 0 || g[j] === 0 ? 0 : EXP[LOG[feedback]! + LOG[g[j]!]!]!);
    check[r - 1] = feedback === 0 ? 0 : EXP[LOG[feedback]! + LOG[g[r - 1]!]!]!;
  }
}

/** Packs r check bytes into packedBytes(r) bytes of 7 bits each, high bit set (never 0x00). */
function pack(check: Uint8Array, r: number, dst: Uint8Array, at: number): number {
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < r; i++) {
    acc = (acc << 8) | check[i]!;
    bits += 8;
    while (bits >= 7) {
      bits -= 7;
      dst[at++] = 0x80 | ((acc >>> bits) & 0x7f);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) dst[at++] = 0x80 | ((acc << (7 - bits)) & 0x7f);
  return at;
}

function unpack(src: Uint8Array, at: number, r: number, check: Int32Array, into: number): void {
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; k < r; i++) {
    acc = (acc << 7) | (src[at + i]! & 0x7f);
    bits += 7;
    if (bits >= 8) {
      bits -= 8;
      check[into + k++] = (acc >>> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
}

/** Appends the check bytes: src[0, m) (COBS bytes) to dst at level r; returns the end index. */
export function fecEncode(src: Uint8Array, m: number, r: number, dst: Uint8Array): number {
  if (r === 0) {
    dst.set(src.subarray(0, m));
    return m;
  }
  const k = blockData(r);
  const check = new Uint8Array(r);
  let out = 0;
  for (let from = 0; from < m; from += k) {
    const to = Math.min(m, from + k);
    dst.set(src.subarray(from, to), out);
    out += to - from;
    rsCheck(src, from, to, r, check);
    out = pack(check, r, dst, out);
  }
  return out;
}

/** Counts of a decode: codewords decoded, bytes corrected, codewords with more damage than r / 2 bytes. */
export interface FecRepair {
  blocks: number;
  bytesCorrected: number;
  failedBlocks: number;
}

/**
 * Corrects and strips the check bytes of a w-byte wire frame at level r, writing the COBS bytes to
 * dst; returns their length, or -1 when w is not a length of level r or a block has more damage
 * than r / 2 bytes (the frame is then damaged). `repair` receives the counts (of every block,
 * also when the frame is damaged, unless `countAll` is false: then it stops at the first failure).
 */
export function fecDecode(src: Uint8Array, w: number, r: number, dst: Uint8Array, repair: FecRepair, countAll = true): number {
  repair.blocks = 0;
  repair.bytesCorrected = 0;
  repair.failedBlocks = 0;
  if (r === 0) {
    dst.set(src.subarray(0, w));
    return w;
  }
  const k = blockData(r);
  const p = packedBytes(r);
  const full = k + p;
  const last = w % full;
  if (w === 0 || (last !== 0 && last <= p)) return -1;
  const word = new Int32Array(255);
  let out = 0;
  for (let at = 0; at < w; at += full) {
    const n = Math.min(full, w - at) - p; // data bytes of this block
    const cw = word.subarray(0, n + r);
    for (let i = 0; i < n; i++) cw[i] = src[at + i]!;
    unpack(src, at + n, r, cw, n);
    try {
      repair.bytesCorrected += decoder.decodeWithECCount(cw, r);
      repair.blocks++;
    } catch {
      repair.failedBlocks++; // the other blocks are still decoded (countAll): their counts tell the error rate
      if (!countAll) return -1;
    }
    for (let i = 0; i < n; i++) dst[out++] = cw[i]!;
  }
  return repair.failedBlocks > 0 ? -1 : out;
}

/** Blocks of a typical frame (about 1 KB) for the level rule. */
export const RULE_BLOCKS = 4;

/**
 * The level with the highest expected efficiency at byte error rate p: the share of data in a
 * block, (255 - r) / (255 - r + packedBytes(r)), times the chance that RULE_BLOCKS blocks all
 * decode. A block at level r fails when more than r / 2 of its symbols are damaged; it exposes
 * 255 - r data bytes and packedBytes(r) check bytes, and a damaged packed byte can spoil two check
 * symbols, so the damaged symbols are taken as Poisson with mean p (255 - r + 2 packedBytes(r)).
 * At level 0 a 255-byte block fails at its first damaged byte. p = 0 gives level 0; 1e-3 gives 4;
 * 1e-2 gives 16 (docs/serial-protocol.md has the table). The efficiencies are compared as
 * logarithms: above p = 0.25 or so every one of them is below 1e-64 and the fourth powers
 * underflow (as 1 - P(X > t) they lost all digits already), which made the rule fall back to
 * level 0 where the table says 32.
 */
export function fecLevelFor(p: number): FecLevel {
  if (!(p > 0)) return 0;
  let best: FecLevel = 0;
  let bestLogEff = -Infinity;
  for (const r of FEC_LEVELS) {
    const mean = p * (255 - r + 2 * packedBytes(r));
    const logEff = Math.log((255 - r) / (255 - r + packedBytes(r))) + RULE_BLOCKS * logPoissonCdf(mean, Math.floor(r / 2));
    if (logEff > bestLogEff) [best, bestLogEff] = [r, logEff];
  }
  return best;
}

/** ln P(X <= t) for X ~ Poisson(mean): -mean + ln(1 + mean + mean^2 / 2! + ... + mean^t / t!). */
function logPoissonCdf(mean: number, t: number): number {
  let term = 1;
  let rest = 0;
  for (let i = 1; i <= t; i++) {
    term *= mean / i;
    rest += term;
  }
  return -mean + Math.log1p(rest);
}
