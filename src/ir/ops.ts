/**
 * The op table: the single source of each IR op's operands, result format, rounding, overflow,
 * cycle cost per target and documentation. docs/ir.md is generated from it (npm run docs:ir),
 * and tests check that ir.proto's Opcode enum agrees with it.
 *
 * Rounding and overflow of an op's result are those of its destination register's format, except
 * where `rounding`/`overflow` below say the op cannot round or overflow.
 * Costs: BrainScaleS-2 counts PPU cycles per vector instruction (64 lanes of 16 bit or 128 of
 * 8 bit); the CMOS chip counts datapath cycles per element. Sources in the `costSource` column.
 */
import { IMAGE_FILES_MARKDOWN } from "./files-doc.ts";
export type OperandKind = "dst" | "src" | "imm" | "state" | "index" | "table";

export interface OpInfo {
  code: number;
  name: string;
  operands: OperandKind[];
  /** Number of source registers. */
  sources: number;
  rounding: "dst" | "exact";
  overflow: "dst" | "none";
  cost: { bss2: number; cmos: number };
  costSource: string;
  doc: string;
}

const VECTOR_ALU = "targets.md 1.7: s2pp vector ALU ops, assumed 1 cycle per vector instruction (issue rate not published)";
const CMOS_ALU = "assumption: one datapath cycle per ALU op per element (targets/cmos/caps.ts)";

export const OPS: readonly OpInfo[] = [
  { code: 1, name: "LOAD", operands: ["dst", "state", "index"], sources: 0, rounding: "exact", overflow: "none", cost: { bss2: 20, cmos: 1 }, costSource: "targets.md 1.7: synram vector load 20 +- 2 cycles; CMOS: one SRAM read", doc: "dst <- state at this element, or at its pre-/postsynaptic neuron (index)" },
  { code: 2, name: "STORE", operands: ["src", "state", "index"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 20, cmos: 1 }, costSource: "targets.md 1.7: synram vector store 20 +- 2 cycles; CMOS: one SRAM write", doc: "state <- src, converted to the state's format" },
  { code: 3, name: "STORE_ADD", operands: ["src", "state", "index"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 49, cmos: 2 }, costSource: "targets.md 1.7: internal-memory vector load 49 cycles (read-modify-write, store overlapped); CMOS: read + write", doc: "state += src: reduction of synapse values onto their pre-/postsynaptic neuron" },
  { code: 4, name: "CONST", operands: ["dst", "imm"], sources: 0, rounding: "exact", overflow: "none", cost: { bss2: 1, cmos: 0 }, costSource: VECTOR_ALU, doc: "dst <- imm (raw integer in dst's format)" },
  { code: 5, name: "ADD", operands: ["dst", "src", "src"], sources: 2, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: VECTOR_ALU, doc: "dst <- src0 + src1, operands aligned to the finer format, then rounded and bounded to dst" },
  { code: 6, name: "SUB", operands: ["dst", "src", "src"], sources: 2, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: VECTOR_ALU, doc: "dst <- src0 - src1" },
  { code: 7, name: "MUL", operands: ["dst", "src", "src"], sources: 2, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 2 }, costSource: `${VECTOR_ALU}; CMOS multiplier assumed 2 cycles`, doc: "dst <- src0 * src1: the full-width product, shifted to dst's fractional bits with dst's rounding (the BSS-2 fractional multiply is MUL with Q0.15 operands and floor)" },
  { code: 8, name: "NEG", operands: ["dst", "src"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: VECTOR_ALU, doc: "dst <- -src0 (the most negative value saturates or wraps by dst's overflow rule)" },
  { code: 9, name: "ABS", operands: ["dst", "src"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 2, cmos: 1 }, costSource: `${VECTOR_ALU}; compare + select`, doc: "dst <- |src0|" },
  { code: 10, name: "MIN", operands: ["dst", "src", "src"], sources: 2, rounding: "dst", overflow: "dst", cost: { bss2: 2, cmos: 1 }, costSource: `${VECTOR_ALU}; compare + select`, doc: "dst <- min(src0, src1)" },
  { code: 11, name: "MAX", operands: ["dst", "src", "src"], sources: 2, rounding: "dst", overflow: "dst", cost: { bss2: 2, cmos: 1 }, costSource: `${VECTOR_ALU}; compare + select`, doc: "dst <- max(src0, src1)" },
  { code: 12, name: "SHR", operands: ["dst", "src", "imm"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: VECTOR_ALU, doc: "dst <- src0 * 2^-imm (arithmetic shift; the dropped bits are rounded by dst's rule)" },
  { code: 13, name: "SHL", operands: ["dst", "src", "imm"], sources: 1, rounding: "exact", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: VECTOR_ALU, doc: "dst <- src0 * 2^imm" },
  { code: 14, name: "CMP_GE", operands: ["dst", "src", "src"], sources: 2, rounding: "exact", overflow: "none", cost: { bss2: 1, cmos: 1 }, costSource: "targets.md 1.7: fxvcmp sets per-lane condition flags", doc: "dst <- 1 if src0 >= src1 else 0 (compared as exact reals)" },
  { code: 15, name: "CMP_GT", operands: ["dst", "src", "src"], sources: 2, rounding: "exact", overflow: "none", cost: { bss2: 1, cmos: 1 }, costSource: "targets.md 1.7: fxvcmp sets per-lane condition flags", doc: "dst <- 1 if src0 > src1 else 0" },
  { code: 16, name: "SELECT", operands: ["dst", "src", "src", "src"], sources: 3, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: "targets.md 1.7: fxvsel conditional select", doc: "dst <- src1 if src0 != 0 else src2" },
  { code: 17, name: "RAND_NORMAL", operands: ["dst", "src"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 8, cmos: 4 }, costSource: "assumption: sum of LFSR bytes (targets.md 1.7: 8-bit outputs, 128 per read) approximating a normal; CMOS: on-chip Gaussian generator, 4 cycles", doc: "dst <- a standard-normal sample in dst's format (the op's counter-based draw, see Random draws), if src0 != 0; else 0 and no draw (noise that is off costs nothing)" },
  { code: 18, name: "SPIKE", operands: ["src"], sources: 1, rounding: "exact", overflow: "none", cost: { bss2: 1, cmos: 1 }, costSource: "targets.md 1.7: spike injection through the omnibus (per vector, assumed 1 cycle)", doc: "emit a spike for this element when src0 != 0" },
  { code: 19, name: "COPY", operands: ["dst", "src"], sources: 1, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 0 }, costSource: VECTOR_ALU, doc: "dst <- src0 converted to dst's format" },
  { code: 20, name: "NOW", operands: ["dst", "imm"], sources: 0, rounding: "dst", overflow: "dst", cost: { bss2: 1, cmos: 1 }, costSource: "targets.md 1.7: the PPU's 64-bit time base (SPR 284); CMOS: assumption, a tick counter register", doc: "dst <- the current tick + imm (an integer): time stamps of event-driven state" },
  { code: 21, name: "LOOKUP", operands: ["dst", "src", "table"], sources: 1, rounding: "exact", overflow: "none", cost: { bss2: 49, cmos: 1 }, costSource: "targets.md 1.7: internal-memory vector load 49 cycles; CMOS: assumption, one ROM read", doc: "dst <- table[clamp(floor(src0), 0, len - 1)] (raw entries in dst's format): decay factors over elapsed ticks; tables of rate activations (tanh, logistic) and of exp, and their slopes" },
];

export const OP_BY_NAME: ReadonlyMap<string, OpInfo> = new Map(OPS.map((o) => [o.name, o]));
export const OP_BY_CODE: ReadonlyMap<number, OpInfo> = new Map(OPS.map((o) => [o.code, o]));

/** docs/ir.md, generated. */
export function opTableMarkdown(): string {
  const rows = OPS.map((o) => `| ${o.code} | \`${o.name}\` | ${o.operands.join(", ")} | ${o.rounding === "dst" ? "dst format" : "exact"} | ${o.overflow === "dst" ? "dst format" : "none"} | ${o.cost.bss2} | ${o.cost.cmos} | ${o.doc} |`);
  const sources = OPS.map((o) => `- \`${o.name}\`: ${o.costSource}`);
  return [
    "# engram IR ops",
    "",
    "Generated from `src/ir/ops.ts` by `npm run docs:ir`; do not edit by hand (a test compares).",
    "",
    "Every register and state array has a fixed-point format: width, signedness, fractional bits,",
    "rounding (floor, nearest with ties away from zero, stochastic) and overflow (wrap, saturate).",
    "An op computes its exact result from its operands' real values, then rounds it to the",
    "destination's fractional bits and bounds it to the destination's width. The executable",
    "definition of every op is `src/ir/reference.ts`.",
    "",
    "| code | op | operands | rounding | overflow | BSS-2 cycles (per vector) | CMOS cycles (per element) | meaning |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "## Where the costs come from",
    "",
    ...sources,
    "",
    "## Gated kernels and event-driven state",
    "",
    "A periodic kernel with `gated` set runs only over the elements whose state `gate_state` (of its",
    "own group) is non-zero when the run starts, in ascending element order; a gate state may only be",
    "written at its own element (SELF index), so the set cannot change during a run. The compiler uses",
    "this for event-driven synapses (`numerics.lazy_synapses`, src/compiler/fixed/lazy.ts): each",
    "synapse keeps a 32-bit tick stamp; an event or the gated kernel computes the elapsed ticks",
    "`n = NOW(+1) - stamp` (wrapping), and reads each trace as its stored value times `LOOKUP` of the",
    "factor D^n from a table whose last entry is 0 (an event stores the product plus its jump), so",
    "traces of idle synapses cost nothing until their next event. Dense stepping of the same traces",
    "keeps n in a state of its own (`__elapsed`) instead of a stamp. The emulator never skips a",
    "kernel that reads `NOW` as a repeated no-op: its next run may differ.",
    "",
    "## Current stimuli",
    "",
    "A `Current` stimulus (ir.proto) adds a constant or Ornstein-Uhlenbeck current to a neuron input",
    "state; the executable definition is `src/ir/current.ts`. Every tick, before the neuron kernels,",
    "each state some current targets is set to 0, then each current active at the tick",
    "(`start_tick <= t < stop_tick`) adds to it for each listed neuron. Rounding is always nearest",
    "(ties away from zero) and overflow always saturates.",
    "",
    "- `kick_raw = 0`: constant; `mean_raw` (in the input's format) is added. No random draws.",
    "- `kick_raw != 0`: OU with state x per neuron in the hidden state array `ou_state` (its format",
    "  is that of `mean_raw` and `kick_raw`). At `start_tick`, x = mean; then every active tick, per",
    "  listed neuron in order, with n = round(N 2^32) for a standard normal N (ziggurat, the",
    "  stimulus' own stream): x = sat(mean + round((x - mean) decay_q32 / 2^32) + round(kick_raw n / 2^32)),",
    "  and the input gains x rounded to its fractional bits, saturated.",
    "",
    "The compiler gives an input the range of its currents (|mean| + 5 sd, summed, x1.25) and each OU",
    "state 32 bits over mean +- 5 sd; decay_q32 = e^(-dt/tau) and kick = sd sqrt(1 - decay^2).",
    "",
    "## Random draws (IR version 4)",
    "",
    "Stochastic rounding and `RAND_NORMAL` take their numbers from a counter-based generator: a",
    "draw is a pure function of (seed, stream, element, tick, kernel, op), never of how many draws",
    "came before it, so any partition of a group's elements over workers, in any order, draws the",
    "same numbers (src/ir/draws.ts; the executable definition is src/ir/reference.ts).",
    "",
    "- **Block:** Philox-4x32-10 (Salmon et al., SC 2011; src/util/philox.ts, checked against",
    "  Random123's known answers) of a 128-bit counter under a 64-bit key, giving words w0..w3.",
    "- **Counter:** `(element, tick mod 2^32, floor(tick / 2^32), kernel * 2^16 + op)`: element is",
    "  the kernel's iteration element (the neuron of a neuron kernel, the synapse of a synapse",
    "  kernel, whatever its ops' index modes), tick the tick being run (what `NOW` reads with imm 0),",
    "  kernel the kernel's index in the program, op the op's index in the kernel (the verifier",
    "  bounds them below 2^12 and 2^16).",
    "- **Key:** `(seed mod 2^32, stream + 256 floor(seed / 2^32))` with stream 1 for stochastic",
    "  rounding and 2 for `RAND_NORMAL`.",
    "- **Uniform:** `u = (floor(w0 / 2^5) 2^26 + floor(w1 / 2^6)) / 2^53`, 53 bits in [0, 1).",
    "- **Rounding:** an op converts its result at most once; where that conversion rounds",
    "  stochastically and drops a non-zero fraction rem, it takes u of stream 1 at its counter,",
    "  u' = roundingDraw(u, `header.rounding_bits`) (src/ir/rounding.ts: the double just under",
    "  (floor(u 2^b) + 1) / 2^b; u itself for b = 0), and rounds up iff u' < rem. Where no bits are",
    "  dropped nothing is drawn (and no other draw moves).",
    "- **Normal:** `RAND_NORMAL` with a non-zero source takes the block of stream 2 at its counter,",
    "  `N = sqrt(-2 ln(1 - u)) cos(2 pi v)` (Box-Muller, cosine branch) with u from (w0, w1) and v",
    "  from (w2, w3) as above, then `round(N 2^40)` (half up) at 40 fractional bits is converted to",
    "  the destination format; a stochastic destination draws that rounding from stream 1 at the",
    "  same counter. `Math.log`, `cos` and `sqrt` are the platform's (bit-identical on one engine).",
    "",
    "Stimuli keep their own sequential streams (Poisson coin flips and OU currents per stimulus,",
    "`ir:stimulus:<index>`, in neuron order, as before version 4).",
    "",
    "## Stream stimuli (IR version 3)",
    "",
    "A `Stream` stimulus (ir.proto; version 3) drives a neuron input with a time series, one sample per",
    "channel per tick, from `start_tick` to `stop_tick` (exclusive); the executable definition is",
    "`src/ir/stream.ts`. Its input is reset every tick like a current's, then for listed neuron j at",
    "row r = t - start_tick the exact integer `acc = sum_k weights[j K + k] samples[r K + k]` (at",
    "`sample_frac + weight_frac` fractional bits) is added, rounded to nearest (ties away from zero)",
    "and saturated to the input's format. Samples and weights are below 2^19 in magnitude and K is at",
    "most 256, so acc stays below 2^46 and is exact on doubles. The compiler picks the sample and",
    "weight widths from the target's `streams` capability and their fractional bits from the data's",
    "largest magnitude (src/compiler/fixed/streams.ts).",
    "",
    "## Activation tables",
    "",
    "`tanh` and `logistic` have no op, nor has `exp` of a variable (the weight-dependent multiplier's",
    "`exp(-gamma (w - a)^2)`, issue 17); the compiler tabulates them for `LOOKUP` when the target",
    "declares `functionTables` (entries, interpolation). The grid has a power-of-two step h over the",
    "argument's range clipped to where the function is within 1e-6 of its limit (exp: below -14.5), so the index is a",
    "shift: `t = clamp(x - lo, 0, top) * 2^s`, `y = T[floor t] + D[floor t] * (t - floor t)` with",
    "D the exact differences of the rounded entries (src/compiler/fixed/activation.ts). `relu` is `MAX`.",
    "",
    "## Versions",
    "",
    "Version 4 makes the kernels' random draws counter-based (\"Random draws\" above); versions 2 and",
    "3 drew stochastic rounding and `RAND_NORMAL` from two sequential streams (`ir:rounding`,",
    "`ir:noise`) in the order of the tick loop. A version-2 or -3 image whose kernels cannot draw",
    "(no `RAND_NORMAL`, no conversion into a stochastically rounded format) means the same under",
    "version 4 and still runs; one that can draw is refused by the verifier, naming the kernel and",
    "op, both versions and asking for a compile with this engram (the old draws are not kept: two",
    "random semantics in every executor would double what the bit-exactness tests must cover).",
    "Emulator checkpoints written before version 4 (`engram-emulator-snapshot-1`, which held the",
    "two streams' states) are refused the same way.",
    "",
    "Version 3 adds the `Stream` stimulus and nothing else: a version-2 image means the same under",
    "version 3 and still runs; a version-2 header with a `Stream` is refused. Version-1 images (no",
    "digest) are refused with a request to compile again.",
    "",
    "## Image files and their digest (IR version 2 and later)",
    "",
    "An `.engram` file is the protobuf encoding of `Program` fields 1-7, followed by field 15",
    "`image_sha256` written as exactly the file's last 34 bytes: tag `0x7a`, length `0x20`, and the",
    "SHA-256 of every byte before the tag. Readers (`inspect`, `run`, `deploy` before the upload, the",
    "board before a commit; `src/ir/image.ts`) check, before decoding anything:",
    "",
    "- no complete image (a top-level digest field matching the bytes before it) ends before the",
    "  end of the file: trailing or concatenated data is refused, naming the byte where the image ends;",
    "- the last 34 bytes are such a trailer (else: truncated, extended or not an image);",
    "- the digest matches the bytes it covers, compared byte for byte, not after re-encoding.",
    "",
    "So every single-bit flip, truncation or extension is refused, and an accepted file is",
    "byte-identical to the one written. Version-1 files (no trailer) are refused with a request to",
    "compile the model again. The file stays a valid `Program` message for protobuf tools.",
    "",
    ...IMAGE_FILES_MARKDOWN,
  ].join("\n");
}
