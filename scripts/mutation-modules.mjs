// The modules of the mutation tier (stryker.config.mjs, scripts/mutation.mjs): the files Stryker
// mutates and the only test files it runs against them, so one module finishes in minutes on two
// shared cores.
export const MUTATION_MODULES = {
  cobs: {
    mutate: ["firmware-bridge/cobs.ts"],
    testFiles: ["tests/bridge/codec.test.ts", "tests/bridge/cobs-decode.test.ts"],
  },
  framing: {
    // framing with its in-frame error correction (protocol v3): the Reed-Solomon blocks and the level rule
    mutate: ["firmware-bridge/framing.ts", "firmware-bridge/fec.ts", "firmware-bridge/fec-level.ts"],
    // fec-exact and framing-fec-exact: written from this module's survivors (docs/reliability.md)
    testFiles: ["tests/bridge/codec.test.ts", "tests/bridge/framing-exact.test.ts", "tests/bridge/fec.test.ts", "tests/bridge/fec-exact.test.ts", "tests/bridge/framing-fec-exact.test.ts"],
  },
  quantise: {
    mutate: ["src/compiler/fixed/quantise.ts"],
    // decay.test.ts and dead-zone-plot.test.ts: the report's decay and dead-zone lines, added to
    // quantise.ts after the first run (97 mutants there had no coverage from quantise.test.ts).
    // quantise-report-text.test.ts: the report's dead-zone wording, ufrac formats and decay flags,
    // written from the survivors of the run on the current file.
    testFiles: ["tests/unit/quantise.test.ts", "tests/compile/decay.test.ts", "tests/unit/dead-zone-plot.test.ts", "tests/unit/quantise-report-text.test.ts"],
  },
  "check-units": {
    mutate: ["src/compiler/passes/check-units.ts"],
    testFiles: ["tests/unit/units.test.ts", "tests/unit/check-units.test.ts"],
  },
  reference: {
    mutate: ["src/ir/reference.ts", "src/ir/interpret.ts"],
    // the unit tests (the hand-derived ir-interpret-* files were written from this module's
    // survivors), and the emulator's bit-exactness suite, which uses the interpreter as its oracle
    // (ir-fuzz.test.ts only decodes and verifies: it never reaches these two files)
    testFiles: ["tests/unit/ir-reference.test.ts", "tests/unit/ir-codec.test.ts", "tests/unit/expr.test.ts", "tests/unit/ir-interpret-hand.test.ts", "tests/unit/ir-interpret-tick.test.ts", "tests/emulator/bitexact.test.ts"],
  },
  codegen: {
    mutate: ["targets/emulator/codegen.ts"],
    // The generated kernels against the closures on random runnable programs (every op, random
    // formats; the closures are compared with the interpreter in the emulator module), and the
    // saturation counts only generated kernels keep. bitexact.test.ts (compiled STC models against
    // the interpreter, 8 s a run) and conformance.test.ts (minutes) would add little but time.
    // codegen-unit.test.ts: which kernels take the generated path, saturation counts at the bounds;
    // codegen-ranges.test.ts: clamps left out from raw bounds, reused ops and tables (their draws
    // and saturation counts); counter-draws.test.ts: each path's draws by (element, tick, kernel, op).
    testFiles: ["tests/emulator/codegen-unit.test.ts", "tests/emulator/codegen-vs-closures.test.ts", "tests/emulator/saturation.test.ts", "tests/emulator/codegen-ranges.test.ts", "tests/emulator/counter-draws.test.ts", "tests/emulator/codegen-range-chains.test.ts"],
  },
  emulator: {
    mutate: ["targets/emulator/emulator.ts", "targets/emulator/convert.ts", "targets/emulator/current.ts", "targets/emulator/handle.ts"],
    // Fast files only (seconds each). Left out: currents.test.ts (its network case takes 12 s a run)
    // and bitexact.test.ts (compiled STC models, 8 s a run; it is in the codegen and reference
    // lists): random-kernels.test.ts compares every op, trigger, stimulus kind and the jump and
    // skip paths with the interpreter bit for bit; stream-timing.test.ts: stream windows, their order
    // with currents and the jumps around them; closures-path.test.ts aims at the closures path
    // (operands past 2^53, mixed fracs), gate order under stochastic rounding and the idle skip;
    // spike-kernel-paths, restore-refusals, poisson-jumps and run-loop-accounting were written from
    // the survivors of the rerun on the current file (docs/reliability.md).
    testFiles: ["tests/emulator/stats.test.ts", "tests/emulator/random-kernels.test.ts", "tests/emulator/checkpoint-random.test.ts", "tests/emulator/handle.test.ts", "tests/emulator/codegen-unit.test.ts", "tests/emulator/current-exact.test.ts", "tests/emulator/saturation.test.ts", "tests/emulator/overrun.test.ts", "tests/emulator/overrun-boundary.test.ts", "tests/emulator/current.test.ts", "tests/emulator/checkpoint.test.ts", "tests/emulator/closures-path.test.ts", "tests/emulator/stream-timing.test.ts", "tests/emulator/spike-kernel-paths.test.ts", "tests/emulator/restore-refusals.test.ts", "tests/emulator/poisson-jumps.test.ts", "tests/emulator/run-loop-accounting.test.ts", "tests/emulator/empty-window-jump.test.ts"],
  },
};
