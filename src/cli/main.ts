/**
 * The command line: the composition root that wires model loading, the compiler, targets and
 * outputs together. User errors (EngramError, bad options) print one paragraph and exit 1;
 * anything else is a bug and prints its stack.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { EngramError, renderDiagnostics } from "../diagnostics/diagnostic.ts";
import { parseLimitFlags, type Limits } from "../ir/limits.ts";
import { commandUsage, wantsHelp } from "./help.ts";
import { releaseOutDirs, writeFailure } from "./out-dir.ts";
import { parseTimeLabel, type TimeLabel } from "../analysis/time-label.ts";

export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

export const USAGE = `engram ${VERSION}: multi-timescale plasticity toolchain

usage:
  engram run FILE.engram [--out DIR] [--force]        (a compiled image, on its chip's emulator)
  engram run MODEL.yaml [--target reference|bss2|cmos] [--seed N] [--out DIR] [--force] [--plain] [--threads N] [--rounding stochastic|nearest|floor] [--bits N]
                        [--checkpoint-every S] [--resume FILE] [--mismatch] [--noise [--noise-every N]] [--time-label end|start] [--dump-after PASS] [--limit NAME=N ...]
                        [--duration T] [--no-plots]
  engram compile MODEL.yaml --target bss2|cmos|reference [-o FILE.engram] [--rounding nearest|stochastic|floor] [--bits N] [--seed N] [--mismatch] [--noise [--noise-every N]] [--dump-after PASS] [--limit NAME=N ...]
  engram compare MODEL.yaml [--targets reference,bss2,cmos] [--rounding nearest,stochastic] [--bits 8,12,16] [--seed N] [--out DIR] [--force] [--mismatch] [--noise [--noise-every N]] [--time-label end|start] [--limit NAME=N ...]
  engram inspect FILE.engram
  engram bench [--quick] [--compile] [--emulator] [--bridge] [--network] [--network-cmos] [--network-threads] [--simd] [--study] [--interchange] [--reservoir] [--reservoir-chip] [--ipc] [--stsp] [--draws] [--emulator-threads]
  engram import FILE.nir [-o DIR] [--dt T] [--duration T] [--spike-area T]   (docs/interchange.md)
  engram import FILE.onnx [-o DIR] [--data TEST_DATA_DIR] [--signal INPUT]   (rate units; checked against ONNX Runtime)
  engram export MODEL.yaml --to nir -o FILE.nir
  engram export MODEL.yaml --to onnx (--projection NAME | --readout) -o FILE.onnx   (a projection's weights or the tasks' ridge readouts as a Gemm)
  engram devices
  engram deploy FILE.engram --port PATH [--baud N] [--run SECONDS [--out DIR] [--force]] [--chunk BYTES] [--pace]
  engram board --port PATH [--baud N] [--pace] [--quiet]
  engram proxy --host PATH --board PATH [--corrupt P] [--drop P] [--duplicate P] [--delay-ms N] [--seed N]
  engram study STUDY.yaml [--out DIR] [--workers N] [--retry-failed] [--slurm [--partition P] [--chunk N] [--sbatch-arg ARG]...]
  engram ipc MODEL.yaml [--states POP.VAR|POP] [--input POP.INPUT] [--input-scale X] [--samples T] [--washout W] [--max-degree D] [--max-delay L]
                        [--sample-every T] [--filter-tau T] [--lead-in K] [--seed N] [--out DIR] [--force]
  engram analyze DIR [--assembly 150] [--recall-fraction 0.5] [--learn 11.0] [--recall 20,28810]
  engram --version | --help
  engram COMMAND --help                     (that command's usage; runs nothing)

run       compile a model and execute it; writes DIR/traces.csv, spikes.csv, traces.svg,
          spikes.svg and manifest.json (DIR defaults to out/<model name>)
  --out DIR   a new or empty folder (created if missing), locked while the run writes; each file
              is replaced atomically and manifest.json comes last: without it, the run is incomplete
  --force     use a non-empty DIR: first remove engram's own outputs there (other files are kept)
  --target    target to run on (default: reference, float64; bss2 and cmos: the model is
              compiled to the chip's fixed-point IR and run on its emulator, bit-exact)
  --rounding  rounding of state updates on bss2/cmos (default: stochastic)
  --bits N    width of the state variables on bss2/cmos (default: the target's, e.g. 12 for
              cmos synapses; cmos takes 8..16)
  --checkpoint-every S   on bss2/cmos: write DIR/checkpoint.json every S biological seconds
  --resume FILE          on bss2/cmos: continue from a checkpoint, bit-identically
  --mismatch  on bss2: fixed-pattern mismatch of the analog circuits (time constants, synaptic
              gains), drawn from the seed with the target's noise model (default: an ideal chip)
  --noise     on bss2: trial-to-trial noise on the analog state; with plasticity, one lumped draw
              per slow-kernel period (exact in distribution at those ticks; docs/low-precision.md)
  --noise-every N   ticks between noise draws (1: every tick, dense stepping: slower)
  --seed N    seed for every random draw (default: the model's seed)
  --plain     step every dt (no quiet-stretch acceleration): the faithful baseline
  --duration T   run for T (e.g. "2 s", "500 ms") instead of the model's duration; stimuli, phases
              or tasks that run past it are errors located in the model file
  --no-plots  write no SVG plots (traces.svg, spikes.svg, tasks.svg, weights.svg): the CSVs,
              analysis and manifest only; plots dominate a short run's wall time
  --threads N on the reference target: split the run over N threads (default 1); the outputs
              are byte-identical for every N (each neuron and synapse draws from its own stream);
              on bss2 and cmos (emulated): 2 splits kernel runs over two threads, same outputs
  --time-label end|start   how traces.csv labels a row (also compare's plot): end (default) gives
              the state after the step from t - dt to t the time t; start gives it t - dt, as
              simulators that label the start of the step do, and drops the initial state's row
              (docs/numerics.md, "Time labels"; stated in manifest.json under traces_csv)
  --dump-after PASS   print the compiler stage after PASS (resolve, check-units, check-numbers, elaborate, discretise, emit)
  --limit NAME=N      raise a resource limit checked before anything is allocated (also on compile and
              compare; repeatable). NAME (default): model-file-bytes (1048576), neurons (1e7),
              synapses (2e7), connect-pairs (2e8), listed-spikes (1e6), duration-ticks (1e10),
              recorded-values (1e8), recorded-spikes (1e8), spike-history (1e8); see
              docs/reliability.md
compile   lower a model to a target's fixed-point IR (protobuf .engram): prints each variable's
          format and LSB, flags variables whose per-tick change is below one LSB, checks that the
          network fits the target (every violated limit with the numbers and a remedy)
compare   the model in float64 and on each chip in its integer arithmetic, side by side: a table of
          errors per variable (max, RMSE, final) and an overlay plot, written to DIR/compare.csv and
          DIR/compare.svg (DIR defaults to out/<model name>.compare; new or empty, or --force as for run).
          On a model imported from ONNX: ONNX Runtime is the reference, errors per graph output
inspect   verify an IR file and print it as text
bench     time the STC protocols (see docs/benchmarks.md); --bridge: serial upload goodput;
          --network: the 8 h memory-network experiment; --network-cmos: the same on the cmos emulator;
          --network-threads: the reference run with --threads 1 and 2 (alternating, CPU time, load)
          --simd: plastic-synapse updates per second, JS vs WebAssembly SIMD kernels
          --draws: kernel random draws, counter-based (IR 4) vs sequential streams, per draw and per tick
          --emulator-threads: the cmos memory network on the emulator with one and two threads
          --study: the STC protocol studies on 1 vs 2 workers, on cmos, and through Slurm
          --interchange: NIR import of a generated 100k-parameter graph
          --reservoir: ESN-100 on Mackey-Glass (R² per horizon) and the 435-task battery's time
          --reservoir-chip: the same ESN on the cmos emulator at each state width vs float64
          --stsp: STSP-RNN of 100 units, 10^4 steps, reference and cmos vs a plain loop
          --ipc: the IPC estimator, N = 100, T = 10^5, up to degree 3 (targets per second)
devices   list serial ports (where a board may be)
deploy    upload a compiled image to a board over the serial bridge (docs/serial-protocol.md):
          resumable, applied only if it verifies on the board; with --run, run it for SECONDS
          and write the read-back results as "engram run FILE.engram" does (DIR and --force as there)
  --baud N    line rate (default 115200)
  --chunk N   largest upload chunk in bytes (default: the board's max_chunk_bytes; smaller on a noisy line)
  --pace      pace writes to --baud (a PTY has no line rate of its own)
board     a virtual board: serves the bridge protocol on PATH (e.g. one end of a socat PTY pair)
          and runs uploaded images on the emulator
proxy     forwards frames between a host's and a board's serial lines, damaging them on purpose
          (seeded byte corruption, dropped, duplicated and delayed frames) to test a link
study     a parameter and seed sweep (docs/studies.md): runs what is missing on a local worker pool
          (or a Slurm job array with --slurm), writes DIR/results.csv, results.arrow, summary.md,
          plots/ and manifest.json (DIR defaults to out/studies/<study name>)
ipc       information processing capacity (Dambre et al. 2012) of a population driven by i.i.d.
          U[-1, 1] input, on the reference target: capacity per degree of Legendre products of
          delayed inputs (docs/ipc.md); writes DIR/ipc.csv, ipc-terms.csv, ipc.md, ipc.svg and
          manifest.json (DIR defaults to out/<model name>.ipc)
  --states    POP.VAR (rate states) or POP (spiking: its spike trains filtered by exp(-t/tau));
              default: the model's tasks.states, else the driven population
  --input     POP.INPUT driven by u (default: the model's first stream stimulus, with its weights)
  --input-scale X   input weights times X (with --input: weights U[-X, X]; may carry a unit, "0.5 nA")
  --samples T (default 20000) after --washout W samples (default max(200, L)); --max-degree D (3);
              --max-delay L (100); --sample-every T: hold each input for T (default one step);
              --filter-tau T: spiking states' filter (default 20 ms); --lead-in K: first delays
              that may score below the threshold before the delay search stops (1; spiking: 3)
analyze   cell-assembly measures of a run directory (stc-model.md section 8): recall quality Q and
          mutual information (learning vs recall rates) per recall; writes DIR/analysis.json,
          analysis.md, raster.svg, rates.svg (and weight statistics if DIR/weights.json exists)
  --assembly N         the first N excitatory neurons form the assembly (default 150)
  --recall-fraction F  recall stimulates the first F of the assembly (default 0.5)
  --learn T            onset of the last learning pulse in s (default 11.0)
  --recall T1,T2,...   recall onsets in s (default 20,28810)`;

export class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 1 : 0;
    }
    if (command === "--version" || command === "-v") {
      process.stdout.write(VERSION + "\n");
      return 0;
    }
    if (COMMANDS.includes(command) && wantsHelp(rest)) {
      process.stdout.write(commandUsage(USAGE, command === "analyse" ? "analyze" : command) + "\n");
      return 0;
    }
    // Commands load on demand: "engram --version" should not pay for the compiler and plotting.
    if (command === "run") return await (await import("./run.ts")).runCommand(parseRun(rest));
    if (command === "compile") return await (await import("./compile.ts")).compileCommand(parseCompile(rest));
    if (command === "compare") return await (await import("./compare.ts")).compareCommand(parseCompare(rest));
    if (command === "inspect") {
      const files = strict(rest, {}, true).positionals;
      if (files.length !== 1) throw new UsageError(`inspect needs exactly one .engram file, got ${files.length === 0 ? "none" : files.join(" ")}`);
      return await (await import("./inspect.ts")).inspectCommand(files[0]!);
    }
    if (command === "bench") return await (await import("./bench.ts")).benchCommand(parseBench(rest));
    if (command === "devices") {
      strict(rest, {}, false);
      return await (await import("./devices.ts")).devicesCommand();
    }
    if (command === "import") return await (await import("./import.ts")).importCommand(parseImport(rest));
    if (command === "export") return await (await import("./export.ts")).exportCommand(parseExport(rest));
    if (command === "deploy") return await (await import("./deploy.ts")).deployCommand(parseDeploy(rest));
    if (command === "board") return await (await import("./board.ts")).boardCommand(parseBoard(rest));
    if (command === "proxy") return await (await import("./proxy.ts")).proxyCommand(parseProxy(rest));
    if (command === "study") {
      const s = await import("./study.ts");
      return await s.studyCommand(s.parseStudy(rest));
    }
    if (command === "ipc") return await (await import("./ipc.ts")).ipcCommand((await import("./ipc.ts")).parseIpc(rest));
    if (command === "analyze" || command === "analyse") {
      const a = parseAnalyze(rest);
      return await (await import("./analyze.ts")).analyzeCommand(a.dir, a.options);
    }
    throw new UsageError(`unknown command "${command}"; commands: run, compile, compare, inspect, bench, import, export, devices, deploy, board, proxy, study, ipc, analyze`);
  } catch (e) {
    if (e instanceof EngramError) {
      process.stderr.write(`engram: error: ${renderDiagnostics(e.diagnostics)}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      const command = argv[0] === "analyse" ? "analyze" : argv[0]!;
      process.stderr.write(`engram: ${e.message}\nrun "engram ${COMMANDS.includes(command) ? `${command} ` : ""}--help" for usage\n`);
      return 2;
    }
    const failed = writeFailure(e); // disk full, read-only or forbidden while writing: not a bug
    if (failed) {
      process.stderr.write(`engram: error: ${renderDiagnostics(failed.diagnostics)}\n`);
      return 1;
    }
    process.stderr.write(`engram: internal error (this is a bug, please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 70;
  } finally {
    releaseOutDirs(); // output-folder locks end with the command
  }
}

const COMMANDS = ["run", "compile", "compare", "inspect", "bench", "devices", "deploy", "board", "proxy", "study", "import", "export", "ipc", "analyze", "analyse"];

/** parseArgs that turns unknown options and stray arguments into usage errors (exit 2). */
function strict<O extends OptionSpec>(args: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args, allowPositionals, options: options as NonNullable<OptionSpec> });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function parseBench(args: string[]) {
  const flag = { type: "boolean", default: false } as const;
  const v = strict(args, { quick: flag, compile: flag, emulator: flag, bridge: flag, network: flag, "network-cmos": flag, "network-threads": flag, simd: flag, study: flag, interchange: flag, reservoir: flag, ipc: flag, "reservoir-chip": flag, stsp: flag, draws: flag, "emulator-threads": flag }, false).values;
  const on = (k: string) => v[k] === true;
  return { quick: on("quick"), compileOnly: on("compile"), emulatorOnly: on("emulator"), bridgeOnly: on("bridge"), networkOnly: on("network"), networkCmos: on("network-cmos"), networkThreads: on("network-threads"), simdOnly: on("simd"), studyOnly: on("study"), interchangeOnly: on("interchange"), reservoirOnly: on("reservoir"), ipcOnly: on("ipc"), reservoirChip: on("reservoir-chip"), stsp: on("stsp"), draws: on("draws"), emulatorThreads: on("emulator-threads") };
}

export interface RunOptions {
  model: string;
  target: string;
  seed?: number;
  out?: string;
  plain: boolean;
  /** Worker threads for one reference-target run (default 1; outputs identical for any N). */
  threads?: number;
  dumpAfter?: string;
  /** Rounding of state updates on fixed-point targets. */
  rounding: "nearest" | "stochastic" | "floor";
  /** Width of the state variables on fixed-point targets (default: the target's). */
  bits?: number;
  /** Biological seconds between checkpoints (emulated targets). */
  checkpointEvery?: number;
  /** Checkpoint file to continue from. */
  resume?: string;
  /** The analog core's fixed-pattern mismatch and trial-to-trial noise (targets with one). */
  variation: { mismatch: boolean; noise: boolean; noisePeriodTicks?: number };
  /** Write into a non-empty --out folder after removing engram's own outputs there. */
  force?: boolean;
  /** How traces.csv labels its rows (src/analysis/time-label.ts). */
  timeLabel?: TimeLabel;
  /** --duration: the run's duration as written (src/cli/run-duration.ts). */
  duration?: string;
  /** false with --no-plots: no SVG files. */
  plots?: boolean;
  /** Raised resource limits (--limit NAME=N). */
  limits?: Partial<Limits>;
}

const LIMIT_OPTION = { limit: { type: "string", multiple: true } } as const;
/** --limit NAME=N (repeatable): raised resource limits, src/ir/limits.ts. */
function limitsOf(values: Record<string, unknown>): Partial<Limits> | undefined {
  const list = values.limit as string[] | undefined;
  if (!list || list.length === 0) return undefined;
  try {
    return parseLimitFlags(list);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const VARIATION_OPTIONS = { mismatch: { type: "boolean", default: false }, noise: { type: "boolean", default: false }, "noise-every": { type: "string" } } as const;
const variationOf = (v: Record<string, string | boolean | undefined>) => {
  const every = v["noise-every"];
  if (every !== undefined && !/^[1-9][0-9]{0,9}$/.test(String(every))) throw new UsageError(`--noise-every takes a whole number of ticks >= 1, got "${String(every)}"`);
  return { mismatch: v.mismatch === true, noise: v.noise === true, ...(every !== undefined ? { noisePeriodTicks: Number(every) } : {}) };
};

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** parseArgs with one model file as the only positional; option errors become usage errors. */
function parseWithModel<O extends OptionSpec>(command: string, args: string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: options as NonNullable<OptionSpec> });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  return { values: values as Record<string, string | boolean | undefined>, model: positionals[0]! };
}

function parseCompile(args: string[]) {
  const { values, model } = parseWithModel("compile", args, {
    target: { type: "string" },
    out: { type: "string", short: "o" },
    rounding: { type: "string", default: "nearest" },
    bits: { type: "string" },
    seed: { type: "string" },
    "dump-after": { type: "string" },
    ...VARIATION_OPTIONS,
    ...LIMIT_OPTION,
  });
  const text = (k: string) => values[k] as string | undefined;
  if (!text("target")) throw new UsageError("compile needs --target (bss2, cmos or reference)");
  const rounding = text("rounding")!;
  if (rounding !== "nearest" && rounding !== "stochastic" && rounding !== "floor") throw new UsageError(`--rounding must be nearest, stochastic or floor, got "${rounding}"`);
  const bits = text("bits") === undefined ? undefined : Number(text("bits"));
  if (bits !== undefined && !(Number.isInteger(bits) && bits >= 2 && bits <= 32)) throw new UsageError(`--bits must be an integer 2..32, got "${text("bits")}"`);
  return { model, target: text("target")!, out: text("out"), rounding: rounding as "nearest" | "stochastic" | "floor", bits, seed: parseSeed(text("seed")), dumpAfter: text("dump-after"), variation: variationOf(values), limits: limitsOf(values) };
}

function parseCompare(args: string[]) {
  const { values, model } = parseWithModel("compare", args, {
    targets: { type: "string", default: "reference,bss2,cmos" },
    rounding: { type: "string", default: "nearest,stochastic" },
    bits: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean", default: false },
    "time-label": { type: "string", default: "end" },
    ...VARIATION_OPTIONS,
    ...LIMIT_OPTION,
  });
  const list = (k: string) => String(values[k] ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");
  const roundings = list("rounding");
  for (const r of roundings) if (r !== "nearest" && r !== "stochastic" && r !== "floor") throw new UsageError(`--rounding takes nearest, stochastic or floor, got "${r}"`);
  const bits = values.bits === undefined ? [undefined] : list("bits").map((b) => {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 2 || n > 32) throw new UsageError(`--bits takes integers 2..32, got "${b}"`);
    return n;
  });
  return { model, targets: list("targets"), roundings: roundings as ("nearest" | "stochastic" | "floor")[], bits, seed: parseSeed(values.seed as string | undefined), out: values.out as string | undefined, variation: variationOf(values), limits: limitsOf(values), force: values.force === true, timeLabel: timeLabelOf(values["time-label"]) };
}

function timeLabelOf(text: unknown): TimeLabel {
  const label = parseTimeLabel(String(text));
  if (!label) throw new UsageError(`--time-label takes end or start, got "${String(text)}"`);
  return label;
}

function parseImport(args: string[]) {
  const { values, model } = parseWithModel("import", args, { out: { type: "string", short: "o" }, dt: { type: "string" }, duration: { type: "string" }, "spike-area": { type: "string" }, data: { type: "string" }, signal: { type: "string" } });
  const seconds = (k: string) => {
    const text = values[k] as string | undefined;
    if (text === undefined) return undefined;
    const m = /^\s*([0-9.eE+-]+)\s*(s|ms|us)?\s*$/.exec(text);
    const x = m ? Number(m[1]) * (m[2] === "ms" ? 1e-3 : m[2] === "us" ? 1e-6 : 1) : NaN;
    if (!(x > 0)) throw new UsageError(`--${k} takes a positive time such as 0.1ms or 1s, got "${text}"`);
    return x;
  };
  return { file: model, out: values.out as string | undefined, dt: seconds("dt"), duration: seconds("duration"), spikeArea: seconds("spike-area"), data: values.data as string | undefined, signal: values.signal as string | undefined };
}

function parseExport(args: string[]) {
  const { values, model } = parseWithModel("export", args, { to: { type: "string" }, out: { type: "string", short: "o" }, projection: { type: "string" }, readout: { type: "boolean" } });
  if (values.to !== "nir" && values.to !== "onnx") throw new UsageError(`export needs --to nir or --to onnx, got ${values.to === undefined ? "none" : `"${values.to}"`}`);
  if (typeof values.out !== "string") throw new UsageError(`export needs -o FILE.${values.to}`);
  if (values.to === "onnx" && (typeof values.projection === "string") === (values.readout === true)) throw new UsageError("export --to onnx needs either --projection NAME (a dense layer) or --readout (the ridge readouts of the model's tasks)");
  return { model, to: values.to as "nir" | "onnx", out: values.out, projection: values.projection as string | undefined, readout: values.readout === true };
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a non-negative integer, got "${text}"`);
  return seed;
}

function parseRun(args: string[]): RunOptions {
  const { values, model } = parseWithModel("run", args, {
    target: { type: "string", default: "reference" },
    seed: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean", default: false },
    plain: { type: "boolean", default: false },
    threads: { type: "string" },
    "dump-after": { type: "string" },
    rounding: { type: "string", default: "stochastic" },
    bits: { type: "string" },
    "checkpoint-every": { type: "string" },
    resume: { type: "string" },
    "time-label": { type: "string", default: "end" },
    duration: { type: "string" },
    "no-plots": { type: "boolean", default: false },
    ...VARIATION_OPTIONS,
    ...LIMIT_OPTION,
  });
  const every = values["checkpoint-every"] === undefined ? undefined : Number(values["checkpoint-every"]);
  if (every !== undefined && !(every > 0)) throw new UsageError(`--checkpoint-every takes a positive number of biological seconds, got "${values["checkpoint-every"]}"`);
  const rounding = values.rounding as string;
  if (rounding !== "nearest" && rounding !== "stochastic" && rounding !== "floor") throw new UsageError(`--rounding must be nearest, stochastic or floor, got "${rounding}"`);
  const bits = values.bits === undefined ? undefined : Number(values.bits);
  if (bits !== undefined && !(Number.isInteger(bits) && bits >= 2 && bits <= 32)) throw new UsageError(`--bits must be an integer 2..32, got "${values.bits}"`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(/^\d+$/.test(values.threads as string) && threads >= 1 && threads <= 64)) throw new UsageError(`--threads takes an integer 1..64, got "${values.threads}"`);
  return { model, rounding, bits, threads, checkpointEvery: every, resume: values.resume as string | undefined, target: values.target as string, seed: parseSeed(values.seed as string | undefined), out: values.out as string | undefined, plain: values.plain === true, dumpAfter: values["dump-after"] as string | undefined, variation: variationOf(values), limits: limitsOf(values), force: values.force === true, timeLabel: timeLabelOf(values["time-label"]), duration: values.duration as string | undefined, plots: values["no-plots"] !== true };
}

function parseBaud(text: string | undefined): number {
  if (text === undefined) return 115200;
  const baud = Number(text);
  if (!/^\d+$/.test(text) || baud < 50 || baud > 16_000_000) throw new UsageError(`--baud must be a line rate in bits per second (50..16000000), got "${text}"`);
  return baud;
}

function parseDeploy(args: string[]) {
  const { values, model } = parseWithModel("deploy", args, {
    port: { type: "string" },
    baud: { type: "string" },
    run: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean", default: false },
    chunk: { type: "string" },
    pace: { type: "boolean", default: false },
  });
  if (!model.endsWith(".engram")) throw new UsageError(`deploy takes a compiled image (FILE.engram; see "engram compile"), got "${model}"`);
  if (!values.port) throw new UsageError('deploy needs --port PATH (see "engram devices")');
  const run = values.run === undefined ? undefined : Number(values.run);
  if (run !== undefined && !(run > 0)) throw new UsageError(`--run takes a positive number of biological seconds, got "${values.run}"`);
  if ((values.out !== undefined || values.force === true) && run === undefined) throw new UsageError(`${values.out !== undefined ? "--out" : "--force"} needs --run SECONDS (an upload alone writes nothing)`);
  const chunk = values.chunk === undefined ? undefined : Number(values.chunk);
  if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 16 && chunk <= 65536)) throw new UsageError(`--chunk takes 16..65536 bytes, got "${values.chunk}"`);
  return { file: model, port: values.port as string, baud: parseBaud(values.baud as string | undefined), run, out: values.out as string | undefined, force: values.force === true, chunk, pace: values.pace === true };
}

function parseBoard(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { port: { type: "string" }, baud: { type: "string" }, pace: { type: "boolean", default: false }, quiet: { type: "boolean", default: false } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (!v.port) throw new UsageError("board needs --port PATH (a serial device, e.g. one end of a socat PTY pair)");
  return { port: v.port, baud: parseBaud(v.baud), pace: v.pace === true, quiet: v.quiet === true };
}

function parseProxy(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { host: { type: "string" }, board: { type: "string" }, baud: { type: "string" }, seed: { type: "string" }, corrupt: { type: "string" }, drop: { type: "string" }, duplicate: { type: "string" }, "delay-ms": { type: "string" } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (!v.host || !v.board) throw new UsageError("proxy needs --host PATH and --board PATH (the serial lines to the host and to the board)");
  const share = (name: string, text: string | undefined) => {
    const x = text === undefined ? 0 : Number(text);
    if (!(x >= 0 && x < 1)) throw new UsageError(`--${name} is a probability in [0, 1), got "${text}"`);
    return x;
  };
  const delay = v["delay-ms"] === undefined ? 0 : Number(v["delay-ms"]);
  if (!(delay >= 0 && Number.isFinite(delay))) throw new UsageError(`--delay-ms must be a non-negative number, got "${v["delay-ms"]}"`);
  return { host: v.host, board: v.board, baud: parseBaud(v.baud), seed: parseSeed(v.seed) ?? 1, corrupt: share("corrupt", v.corrupt), drop: share("drop", v.drop), duplicate: share("duplicate", v.duplicate), maxDelayMs: delay };
}

function parseAnalyze(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { assembly: { type: "string" }, "recall-fraction": { type: "string" }, learn: { type: "string" }, recall: { type: "string" } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`analyze needs exactly one run directory, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const num = (name: string, text: string | undefined, ok: (x: number) => boolean, what: string) => {
    if (text === undefined) return undefined;
    const x = Number(text);
    if (text.trim() === "" || !ok(x)) throw new UsageError(`--${name} takes ${what}, got "${text}"`);
    return x;
  };
  const recall = v.recall === undefined ? undefined : v.recall.split(",").map((t) => num("recall", t, Number.isFinite, "a comma-separated list of times in s")!);
  const options = {
    assembly: num("assembly", v.assembly, (x) => Number.isInteger(x) && x >= 2, "an integer >= 2"),
    recallFraction: num("recall-fraction", v["recall-fraction"], (x) => x > 0 && x < 1, "a fraction between 0 and 1"),
    learn: num("learn", v.learn, Number.isFinite, "a time in s"),
    recall,
  };
  // Unset options keep the defaults of analyseRun.
  return { dir: positionals[0]!, options: Object.fromEntries(Object.entries(options).filter(([, x]) => x !== undefined)) };
}
