// The modules of the mutation tier (stryker.config.mjs, scripts/mutation.mjs): the files Stryker
// mutates and the only test files it runs against them, so one module finishes in minutes on two
// shared cores.
export const MUTATION_MODULES = {
  cobs: {
    mutate: ["firmware-bridge/cobs.ts"],
    testFiles: ["tests/bridge/codec.test.ts", "tests/bridge/cobs-decode.test.ts"],
  },
  framing: {
    mutate: ["firmware-bridge/framing.ts"],
    testFiles: ["tests/bridge/codec.test.ts", "tests/bridge/framing-exact.test.ts"],
  },
  quantise: {
    mutate: ["src/compiler/fixed/quantise.ts"],
    testFiles: ["tests/unit/quantise.test.ts"],
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
    // bit-exactness against the IR interpreter is what tells a codegen bug; conformance.test.ts
    // (8 h protocols, minutes per run) would add little but time
    testFiles: ["tests/emulator/bitexact.test.ts"],
  },
  emulator: {
    mutate: ["targets/emulator/emulator.ts", "targets/emulator/convert.ts", "targets/emulator/current.ts", "targets/emulator/handle.ts"],
    testFiles: ["tests/emulator/overrun.test.ts", "tests/emulator/overrun-boundary.test.ts", "tests/emulator/bitexact.test.ts", "tests/emulator/checkpoint.test.ts", "tests/emulator/current.test.ts", "tests/emulator/currents.test.ts"],
  },
};
