/**
 * The host's rule for the FEC level of its frames (docs/serial-protocol.md, "Choosing the level").
 * It estimates the line's byte error rate p from the frames it receives: a valid frame contributes
 * the bytes the Reed-Solomon decoder corrected in it (0 at level 0), a damaged one the least
 * damage that explains it (framing.ts, Damage: one byte at level 0; at level r the bytes corrected
 * in its blocks that decoded and r / 2 + 1 for each block that did not). Errors and
 * bytes are both weighted down by half every HALF_LIFE_BYTES received bytes, so the estimate
 * follows a line that gets better or worse. The level is the one of highest expected efficiency
 * at that rate (fecLevelFor); a clean line stays at level 0, with no check bytes at all. The board answers at the level of each request, so this rule alone sets
 * both directions.
 */
import { fecLevelFor, type FecLevel } from "./fec.ts";


export const HALF_LIFE_BYTES = 4096;

export class LineErrorEstimate {
  private errors = 0;
  private bytes = 0;
  private sentBytes = 0;

  /** A valid frame of `wireBytes` in which FEC corrected `bytesCorrected` bytes. */
  frame(wireBytes: number, bytesCorrected: number): void {
    this.observe(bytesCorrected, wireBytes);
  }

  /** A damaged frame: its wire bytes and the least damage that explains it. */
  damaged(d: { wireBytes: number; errors: number }): void {
    this.observe(d.errors, Math.max(1, d.wireBytes));
  }

  /** Bytes sent that the other side observes (their errors are its to count): for weighing its estimate. */
  sent(bytes: number): void {
    this.sentBytes = this.sentBytes * 0.5 ** (bytes / HALF_LIFE_BYTES) + bytes;
  }

  /**
   * The rate over both directions: this side's estimate and the other side's (`otherRate`, of
   * what this side sent), each weighted by the bytes it rests on.
   */
  pooled(otherRate: number): number {
    const b = this.bytes + this.sentBytes;
    return b > 0 ? (this.errors + otherRate * this.sentBytes) / b : 0;
  }

  /** Estimated byte error rate. */
  rate(): number {
    return this.bytes > 0 ? this.errors / this.bytes : 0;
  }

  level(): FecLevel {
    return fecLevelFor(this.rate());
  }

  private observe(errors: number, bytes: number): void {
    const keep = 0.5 ** (bytes / HALF_LIFE_BYTES);
    this.errors = this.errors * keep + errors;
    this.bytes = this.bytes * keep + bytes;
  }
}
