/**
 * The host's chunk-size rule (docs/serial-protocol.md, "Noisy lines"). A chunk of c data bytes
 * costs c + h bytes on the line (h: the frame's own fields, CRC, COBS and delimiter) and is lost
 * when any byte of it or of its reply is damaged. With independent byte errors at rate
 * lambda = -ln(1 - p), goodput per line byte is c / (c + h) * e^(-lambda (c + h + reply)), whose
 * maximum over c is at
 *
 *     c* = (-h + sqrt(h^2 + 4 h / lambda)) / 2
 *
 * (the reply's length does not move the optimum). lambda is estimated from the chunks sent:
 * exponentially weighted (weight 1/8) loss fraction L and mean bytes per exchange n (request +
 * reply), lambda = -ln(1 - min(L, 0.95)) / n. A clean line gives lambda = 0 and the largest
 * chunk; as losses stop, L decays and the size grows back. Clamped to [min, max].
 */
import { encodeFrame } from "./messages.ts";

export class ChunkSizer {
  private loss = 0;
  private exchangeBytes = 0;
  private samples = 0;

  /**
   * `overhead` (h) and `replyBytes`: wire bytes of a chunk frame besides its data, and of its
   * reply, for this session (wireOverhead() measures them).
   */
  constructor(readonly min: number, readonly max: number, readonly overhead: number, readonly replyBytes: number) {}

  /** One exchange's outcome: a chunk (or read) of `dataBytes`; lost = no intact reply came. */
  record(dataBytes: number, lost: boolean): void {
    const w = this.samples < 8 ? 1 / (this.samples + 1) : 1 / 8;
    this.samples++;
    this.loss += w * ((lost ? 1 : 0) - this.loss);
    this.exchangeBytes += w * (dataBytes + this.overhead + this.replyBytes - this.exchangeBytes);
  }

  /** The weighted fraction of exchanges lost to damage, L. */
  lossFraction(): number {
    return this.loss;
  }

  /** Estimated byte error rate (as lambda = -ln(1 - p)). */
  lambda(): number {
    if (this.samples === 0 || this.loss <= 0) return 0;
    return -Math.log(1 - Math.min(this.loss, 0.95)) / this.exchangeBytes;
  }

  size(): number {
    const l = this.lambda();
    if (l <= 0) return this.max;
    const h = this.overhead;
    const best = (-h + Math.sqrt(h * h + (4 * h) / l)) / 2;
    return Math.max(this.min, Math.min(this.max, Math.floor(best)));
  }
}

/**
 * Wire bytes of a chunk frame besides its data (protobuf fields at the largest offset and a seq
 * of 3 varint bytes, CRC, COBS, delimiter) and of its chunk_ack, in `session`.
 */
export function wireOverhead(session: number, imageBytes: number): { overhead: number; replyBytes: number } {
  const data = 200;
  const frame = encodeFrame(session, 0x10000, "chunk", { offset: imageBytes, data: new Uint8Array(data) }).length;
  const reply = encodeFrame(session, 0x10000, "chunk_ack", { received_bytes: imageBytes }).length;
  const wire = (payload: number) => payload + 4 + Math.ceil((payload + 4) / 254) + 1;
  return { overhead: wire(frame) - data, replyBytes: wire(reply) };
}
