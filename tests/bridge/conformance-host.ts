/**
 * A second host, written from docs/serial-protocol.md and docs/ir.md alone, as a lab engineer
 * would write one: its own COBS, CRC-32, framing, request loop and CSV writer. Deliberately NO
 * imports from firmware-bridge/ or src/: only node, protobufjs and the two .proto files
 * (firmware-bridge/protocol.proto, src/ir/ir.proto) read as text. If this host and `engram run`
 * disagree, the document is incomplete or wrong.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import GenericGFModule from "@zxing/library/cjs/core/common/reedsolomon/GenericGF.js";
import ReedSolomonDecoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonDecoder.js";
import ReedSolomonEncoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonEncoder.js";

// serial-protocol.md, "Forward error correction": any Reed-Solomon codec over GF(2^8) with
// polynomial 0x11D and generator roots 2^0..2^(r-1) (the QR-code field) will do; this host uses
// @zxing/library's encoder and decoder (engram's host writes its own encoder).
const zxing = {
  GenericGF: GenericGFModule.default ?? GenericGFModule,
  ReedSolomonDecoder: ReedSolomonDecoderModule.default ?? ReedSolomonDecoderModule,
  ReedSolomonEncoder: ReedSolomonEncoderModule.default ?? ReedSolomonEncoderModule,
};
const rsEncoder = new zxing.ReedSolomonEncoder(zxing.GenericGF.QR_CODE_FIELD_256);
const rsDecoder = new zxing.ReedSolomonDecoder(zxing.GenericGF.QR_CODE_FIELD_256);
const LEVELS = [0, 4, 8, 16, 32];

const root = new protobuf.Root();
protobuf.parse(readFileSync(new URL("../../firmware-bridge/protocol.proto", import.meta.url), "utf8"), root, { keepCase: true });
protobuf.parse(readFileSync(new URL("../../src/ir/ir.proto", import.meta.url), "utf8"), root, { keepCase: true });
const FrameT = root.lookupType("engram.bridge.v3.Frame");
const ResultsT = root.lookupType("engram.bridge.v3.Results");
const ProgramT = root.lookupType("engram.ir.v1.Program");
const AS_OBJECT = { longs: Number, enums: Number, bytes: Uint8Array, defaults: true, arrays: true, oneofs: true } as const;

/** serial-protocol.md, Framing: CRC-32 as in zlib (reflected 0xEDB88320, init and xorout 0xFFFFFFFF). */
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** serial-protocol.md, "Forward error correction": after each 255 - r COBS bytes, their r check bytes packed 7 bits to a byte with the high bit set. */
function addCheckBytes(cobs: number[], r: number): number[] {
  if (r === 0) return cobs;
  const out: number[] = [];
  for (let i = 0; i < cobs.length; i += 255 - r) {
    const data = cobs.slice(i, i + 255 - r);
    const word = new Int32Array(data.length + r);
    word.set(data);
    rsEncoder.encode(word, r);
    out.push(...data);
    let bits = "";
    for (const c of word.subarray(data.length)) bits += c.toString(2).padStart(8, "0");
    while (bits.length % 7) bits += "0";
    for (let k = 0; k < bits.length; k += 7) out.push(0x80 | parseInt(bits.slice(k, k + 7), 2));
  }
  return out;
}

/** The inverse at level r: the corrected COBS bytes, or null when the length does not fit r or a block cannot be corrected. */
function stripCheckBytes(wire: number[], r: number): { cobs: number[]; fixed: number } | null {
  if (r === 0) return { cobs: wire, fixed: 0 };
  let fixed = 0;
  const packed = Math.ceil((8 * r) / 7);
  const out: number[] = [];
  for (let i = 0; i < wire.length; i += 255 - r + packed) {
    const block = wire.slice(i, i + 255 - r + packed);
    const n = block.length - packed;
    if (n < 1) return null;
    const bits = block.slice(n).map((b) => (b & 0x7f).toString(2).padStart(7, "0")).join("");
    const word = new Int32Array(n + r);
    word.set(block.slice(0, n));
    for (let k = 0; k < r; k++) word[n + k] = parseInt(bits.slice(8 * k, 8 * k + 8), 2);
    try {
      fixed += rsDecoder.decodeWithECCount(word, r);
    } catch {
      return null;
    }
    out.push(...word.subarray(0, n));
  }
  return { cobs: out, fixed };
}

/** COBS as in Cheshire and Baker (1999), without the trailing zero, FEC check bytes at level r, then the 0x00 delimiter. */
function frameBytes(payload: Uint8Array, r = 0): Uint8Array {
  const crc = crc32(payload);
  const plain = [...payload, crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24];
  const out: number[] = [];
  let codeAt = out.push(0) - 1;
  let code = 1;
  for (const b of plain) {
    if (b === 0) {
      out[codeAt] = code;
      codeAt = out.push(0) - 1;
      code = 1;
      continue;
    }
    out.push(b);
    if (++code === 0xff) {
      out[codeAt] = code;
      codeAt = out.push(0) - 1;
      code = 1;
    }
  }
  out[codeAt] = code;
  return Uint8Array.from([...addCheckBytes(out, r), 0]);
}

function unCobs(b: number[]): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const code = b[i]!;
    if (code === 0 || i + code > b.length) return null;
    for (let k = 1; k < code; k++) out.push(b[i + k]!);
    i += code;
    if (code < 0xff && i < b.length) out.push(0);
  }
  return Uint8Array.from(out);
}

export interface ByteLine {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void;
}

type Msg = { session: number; seq: number; body: string } & Record<string, any>;

export class ConformanceHost {
  private rx: number[] = [];
  private pending: { seq: number; resolve: (m: Msg | "damaged") => void } | null = null;
  private seq = 0;
  readonly session: number;
  hello: Record<string, any> = {};
  resends = 0;
  /** The board's last rx_errors_ppm, and the frames sent at each FEC level. */
  private boardPpm = 0;
  readonly framesAtLevel: Record<number, number> = {};
  /** Frames received that needed correction. */
  repaired = 0;
  /** serial-protocol.md, "Choosing the level": engram's thresholds on the board's rx_errors_ppm (this host does not estimate its own direction). */
  level(): number {
    if (this.hello.protocol_version !== 3) return 0;
    const p = this.boardPpm;
    return p < 20 ? 0 : p < 1296 ? 4 : p < 4688 ? 8 : p < 14152 ? 16 : 32;
  }
  /** Noisy lines: the chunk-size rule, from exponentially weighted losses (weight 1/8) and bytes per exchange. */
  private loss = 0;
  private exchange = 0;
  private samples = 0;
  private record(bytes: number, lost: boolean): void {
    const w = this.samples < 8 ? 1 / (this.samples + 1) : 1 / 8;
    this.samples++;
    this.loss += w * ((lost ? 1 : 0) - this.loss);
    this.exchange += w * (bytes - this.exchange);
  }
  chunkSize(h = 30): number {
    const max = this.hello.max_chunk_bytes;
    if (this.loss <= 0) return max;
    const lambda = -Math.log(1 - Math.min(this.loss, 0.95)) / this.exchange;
    return Math.max(16, Math.min(max, Math.floor((-h + Math.sqrt(h * h + (4 * h) / lambda)) / 2)));
  }

  constructor(private readonly line: ByteLine, session: number) {
    this.session = session;
    line.onData((bytes) => {
      for (const b of bytes) {
        if (b !== 0) {
          this.rx.push(b);
          continue;
        }
        const raw = this.rx;
        this.rx = [];
        if (raw.length === 0) continue;
        // A frame's level is not announced: try each; the CRC decides. Framing: drop anything
        // shorter than 5 bytes or with a wrong CRC; the doc says resend at once.
        let payload: Uint8Array | null = null;
        for (const r of LEVELS) {
          const strip = stripCheckBytes(raw, r);
          const d = strip && unCobs(strip.cobs);
          if (!d || d.length < 5) continue;
          const p = d.subarray(0, d.length - 4);
          const crc = (d[d.length - 4]! | (d[d.length - 3]! << 8) | (d[d.length - 2]! << 16) | (d[d.length - 1]! << 24)) >>> 0;
          if (crc !== crc32(p)) continue;
          payload = p;
          if (strip!.fixed > 0) this.repaired++;
          break;
        }
        if (!payload) {
          this.pending?.resolve("damaged");
          continue;
        }
        let m: Msg;
        try {
          m = FrameT.toObject(FrameT.decode(payload), AS_OBJECT) as Msg;
        } catch {
          continue;
        }
        this.boardPpm = m.rx_errors_ppm ?? 0;
        if (m.body === "bad_frame") this.pending?.resolve("damaged");
        else if (this.pending && m.session === this.session && m.seq === this.pending.seq) this.pending.resolve(m);
        // anything else: a late or duplicated reply; ignored (Sessions and sequence numbers)
      }
    });
  }

  /**
   * Timeouts and retries: stop-and-wait, timeout doubling from 100 ms, resend at once on damage.
   * With `shrinkAfter`, gives up (null) after that many failed sends so the caller can pick a
   * shorter chunk; otherwise at most 32 sends.
   */
  async request(kind: string, body: Record<string, unknown>, shrinkAfter = 0, dataBytes = 0): Promise<Msg | null> {
    const seq = ++this.seq;
    const payload = FrameT.encode(FrameT.fromObject({ session: this.session, seq, [kind]: body })).finish();
    let timeout = Math.max(100, 2 * (this.hello.reply_within_ms ?? 0));
    for (let attempt = 0; attempt < 32; attempt++) {
      if (attempt > 0) this.resends++;
      const level = this.level(); // each send at the level the board's last report calls for
      const bytes = frameBytes(payload, level);
      const reply = new Promise<Msg | "damaged" | "timeout">((resolve) => {
        this.pending = { seq, resolve };
        setTimeout(() => resolve("timeout"), timeout + (bytes.length * 10 * 1000) / 115200);
      });
      this.framesAtLevel[level] = (this.framesAtLevel[level] ?? 0) + 1;
      await this.line.write(Uint8Array.of(0, ...bytes)); // a leading 0x00 flushes a half frame at the board
      const r = await reply;
      this.pending = null;
      if (dataBytes > 0 && r !== "timeout") this.record(dataBytes + 60, r === "damaged");
      if (typeof r === "object") return r;
      if (r === "timeout") timeout = Math.min(4000, timeout * 2);
      if (shrinkAfter > 0 && attempt + 1 >= shrinkAfter) return null;
    }
    throw new Error(`no reply to ${kind} (seq ${seq}) after 32 sends`);
  }

  async expect(kind: string, body: Record<string, unknown>, want: string): Promise<Record<string, any>> {
    const m = (await this.request(kind, body))!;
    if (m.body !== want) throw new Error(`${kind} answered with ${m.body}: ${JSON.stringify(m[m.body])}`);
    return m[want];
  }

  /** The whole deploy: hello, upload (chunk size by the rule), commit, run, poll, read back. */
  async deployAndRun(image: Uint8Array, durationTicks = 0): Promise<Record<string, any>> {
    this.hello = await this.expect("hello", { protocol_version: 3, min_protocol_version: 3, host: "conformance" }, "hello_reply");
    const crc = crc32(image);
    const ready = await this.expect("begin_upload", { image_bytes: image.length, image_crc32: crc }, "upload_ready");
    for (let at = ready.received_bytes; at < image.length; ) {
      const n = Math.min(this.chunkSize(), image.length - at);
      const m = await this.request("chunk", { offset: at, data: image.subarray(at, at + n) }, n > 16 ? 3 : 0, n);
      if (!m) continue; // three failures: the rule now picks a shorter chunk
      if (m.body !== "chunk_ack") throw new Error(`chunk answered with ${m.body}: ${JSON.stringify(m[m.body])}`);
      at += n;
    }
    await this.expect("commit", { image_crc32: crc }, "ack");
    await this.expect("run", { duration_ticks: durationTicks }, "ack");
    let s: Record<string, any>;
    for (;;) {
      s = await this.expect("get_status", {}, "status");
      if (s.state === 3) break; // DONE
      if (s.state !== 2) throw new Error(`state ${s.state} during the run: ${s.error}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = new Uint8Array(s.results_bytes);
    for (let at = 0; at < results.length; ) {
      const n = Math.min(this.chunkSize(), results.length - at);
      const m = await this.request("read", { offset: at, length: n }, n > 16 ? 3 : 0, n);
      if (!m) continue;
      if (m.body !== "read_data") throw new Error(`read answered with ${m.body}: ${JSON.stringify(m[m.body])}`);
      results.set(m.read_data.data, at);
      at += m.read_data.data.length;
    }
    if (crc32(results) !== s.results_crc32) throw new Error("results CRC mismatch");
    return ResultsT.toObject(ResultsT.decode(results), AS_OBJECT);
  }
}

/** docs/ir.md, "Results as files": the .engram file is one protobuf Program. */
export function readProgram(image: Uint8Array): Record<string, any> {
  return ProgramT.toObject(ProgramT.decode(image), { longs: Number, enums: Number, defaults: true, arrays: true });
}

/** docs/ir.md, "Results as files": traces.csv and spikes.csv from a Results message and its Program. */
export function resultFiles(program: Record<string, any>, results: Record<string, any>): { traces: string; spikes: string } {
  const dt: number = program.header.tick_seconds;
  let decimals = 12;
  for (let d = 0; d < 12; d++) {
    const scaled = dt * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * scaled) {
      decimals = d;
      break;
    }
  }
  const time = (tick: number) => (tick * dt).toFixed(decimals);
  const probes = program.probes.map((p: any, i: number) => {
    const st = program.states[p.state];
    const scale = 2 ** -st.format.frac / (st.unit_scale || 1);
    const width = p.elements.length;
    const names = width === 1 ? [p.column] : p.elements.map((e: number) => `${p.column}[${e}]`);
    return { names, width, scale, ticks: results.probes[i].ticks as number[], data: results.probes[i].data as number[] };
  });
  const lines = [["time_s", ...probes.flatMap((p: any) => p.names)].join(",")];
  const row = probes.map(() => 0);
  for (;;) {
    let tick = Infinity;
    probes.forEach((p: any, i: number) => {
      if (row[i]! < p.ticks.length) tick = Math.min(tick, p.ticks[row[i]!]);
    });
    if (tick === Infinity) break;
    const cells = [time(tick)];
    probes.forEach((p: any, i: number) => {
      const r = row[i]!;
      const has = r < p.ticks.length && p.ticks[r] === tick;
      for (let c = 0; c < p.width; c++) cells.push(has ? String(p.data[r * p.width + c] * p.scale) : "");
      if (has) row[i] = r + 1;
    });
    lines.push(cells.join(","));
  }
  const offsets: number[] = [];
  let n = 0;
  for (const g of program.groups) {
    offsets.push(n);
    if (g.kind === 1) n += g.size;
  }
  const spikes = ["time_s,neuron"];
  results.spike_ticks.forEach((t: number, i: number) => {
    const g = results.spike_groups[i];
    if (program.groups[g].kind === 1) spikes.push(`${time(t)},${offsets[g]! + results.spike_elements[i]}`);
  });
  return { traces: lines.join("\n") + "\n", spikes: spikes.join("\n") + "\n" };
}
