/**
 * The host's rule for the FEC level of its frames (docs/serial-protocol.md, "Choosing the level").
 * It estimates the line's byte error rate p from the frames it receives: a valid frame contributes
 * the bytes the Reed-Solomon decoder corrected in it (0 at level 0), a damaged one at least one
 * error at level 0 and r / 2 + 1 (the least damage that defeats a block) at level r. Errors and
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

  /** A valid frame of `wireBytes` in which FEC corrected `bytesCorrected` bytes. */
  frame(wireBytes: number, bytesCorrected: number): void {
    this.observe(bytesCorrected, wireBytes);
  }

  /** A damaged frame of `wireBytes`, expected at level `level`. */
  damaged(wireBytes: number, level: FecLevel): void {
    this.observe(level === 0 ? 1 : level / 2 + 1, Math.max(1, wireBytes));
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
