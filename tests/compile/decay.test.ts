/**
 * Decays in fixed point (src/compiler/fixed/decay.ts, caps.decay): the chip's decay rule lets a
 * pure decay reach rest; round-to-nearest leaves the dead zone LSB / (2 (1 - D)) the report
 * predicts, next to the thresholds the variable is compared against.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { pureDecays, residueLsb, thresholdsOf } from "../../src/compiler/fixed/decay.ts";
import { quantisationReport } from "../../src/compiler/fixed/quantise.ts";
import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";

const dt = 0.2e-3, tauCa = 48.8e-3;
const D = Math.exp(-dt / tauCa);
const cmos = getTarget("cmos").caps;
const bss2 = getTarget("bss2").caps;
// stepped traces (x <- x D every tick), as before cmos kept them time-stamped
const nearestDecays: TargetCaps = { ...cmos, stampedTraces: false, decay: { rounding: "nearest", source: "test: the rule before decays were a hardware fact" } };

/** basic-early (seven presynaptic spikes, last calcium jump at 118.8 ms) run on to 118.8 ms + 10 tau_Ca. */
function calciumAfterTenTau(caps: TargetCaps, seed: number) {
  const program = compile("models/stc/basic-early.yaml", { target: caps.name, seed });
  const lastJump = 0.1188;
  program.durationTicks = Math.ceil((lastJump + 10 * tauCa) / dt) + 1;
  const fixed = compileFixed(program, caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
  const h = new EmulatorHandle(fixed.ir);
  h.run();
  const lsb = 2 ** -fixed.ir.states.find((s) => s.name === "syn.Ca")!.format.frac;
  // the recorded calcium (every tick): a time-stamped trace is stored as its value at the last event
  const t = h.recorded.tables.find((x) => x.names.includes("ca"))!;
  expect(t.ticks[t.count - 1]! * dt).toBeGreaterThanOrEqual(lastJump + 10 * tauCa);
  const ca = t.columns[t.names.indexOf("ca")]![t.count - 1]!;
  return { ca, lsb, fixed, stored: h.values("syn.Ca")![0]! };
}

describe("decay rounding is the chip's (caps.decay)", () => {
  it("targets declare it: bss2 floors (fractional multiply), cmos dithers (assumption)", () => {
    expect(bss2.decay.rounding).toBe("floor");
    expect(cmos.decay.rounding).toBe("stochastic");
  });

  it("pure decays are calcium and the synaptic current, not the membrane or the slow variables", () => {
    const program = compile("models/stc/slfs.yaml", { target: "cmos" });
    expect([...pureDecays(program)].sort()).toEqual(["post.I_syn", "syn.Ca"]);
  });

  it("calcium takes the chip's decay rule in both rounding modes; floor everywhere stays floor", () => {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    for (const [caps, rounding, want] of [[cmos, "nearest", "stochastic"], [cmos, "stochastic", "stochastic"], [bss2, "nearest", "floor"], [bss2, "stochastic", "floor"], [cmos, "floor", "floor"]] as const) {
      const { quantised } = compileFixed(program, caps, { rounding, engramVersion: "test", analyse: analyseByRun });
      expect(quantised.find((v) => v.name === "Ca")!.format.rounding, `${caps.name} ${rounding}`).toBe(want);
    }
  });

  it("after the stimulus, calcium is within one LSB of 0 within 10 tau_Ca on both chips", () => {
    for (const seed of [1, 2, 3]) {
      const c = calciumAfterTenTau(cmos, seed);
      expect(c.ca, `cmos seed ${seed}`).toBeLessThanOrEqual(c.lsb);
    }
    const b = calciumAfterTenTau(bss2, 1);
    expect(b.ca).toBeLessThanOrEqual(b.lsb);
  });

  it("round-to-nearest decays stop where the report says: ceil(1/(2(1-D))) - 1 LSB (122 LSB = 0.238 in uQ3.9)", () => {
    const c = calciumAfterTenTau(nearestDecays, 1);
    // hand-derived: x + x (D - 1) to nearest stops once x (1 - D) < 1/2 LSB
    const stuck = Math.ceil(0.5 / (1 - D)) - 1;
    expect(stuck).toBe(122);
    expect(c.lsb).toBe(2 ** -9);
    expect(c.ca / c.lsb).toBe(stuck);
    expect(c.ca).toBeCloseTo(0.23828125, 10);
    const z = c.fixed.quantised.find((v) => v.name === "Ca")!.deadZone!;
    expect(z.above / c.lsb).toBeCloseTo(1 / (2 * (1 - D)), 6);
    expect(Math.abs(z.above - c.ca)).toBeLessThan(c.lsb);
  });
});

describe("time-stamped traces (caps.stampedTraces) have no dead zone whatever the decay rule", () => {
  it("cmos keeps traces stamped (assumption); bss2 and the reference step them", () => {
    expect([cmos.stampedTraces, bss2.stampedTraces, getTarget("reference").caps.stampedTraces]).toEqual([true, false, false]);
  });

  it("with round-to-nearest at events, calcium still reads 0 after 10 tau_Ca (stepped: stuck at 122 LSB)", () => {
    const stamped = calciumAfterTenTau({ ...nearestDecays, stampedTraces: true }, 1);
    // one product x D^n rounded to nearest reads 0 once x D^n < LSB / 2; the table's last entry is 0
    expect(stamped.ca).toBe(0);
    expect(stamped.stored).toBeGreaterThan(1); // stored: the value after the last event (Ca_pre = 1 on top)
    expect(stamped.fixed.quantised.find((v) => v.name === "Ca")!.deadZone!.above).toBe(0);
    expect(calciumAfterTenTau(nearestDecays, 1).ca / stamped.lsb).toBe(122);
  });
});

describe("dead zones in the quantisation report", () => {
  it("residues by rule, in LSB (hand-derived)", () => {
    const k = 1 / (1 - D);
    expect(residueLsb("nearest", D)).toEqual([k / 2, k / 2]);
    expect(residueLsb("floor", D)).toEqual([0, k]);
    expect(residueLsb("stochastic", D)).toEqual([0, 0]);
  });

  it("thresholds come from comparisons and Heaviside steps on one variable", () => {
    const program = compile("models/stc/slfs.yaml", { target: "cmos" });
    const th = thresholdsOf(program);
    expect([...th.get("syn.Ca")!].sort()).toEqual([1.2, 3]);
    expect([...th.get("post.V")!]).toEqual([-0.055]);
    expect(th.get("syn.h")!.size).toBe(2); // h0 +- theta_tag (the tag)
  });

  it("a residue within one event's jump of a threshold is flagged; none where the decay reaches rest", () => {
    const program = compile("models/stc/slfs.yaml", { target: "cmos" });
    const near = compileFixed(program, nearestDecays, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    const ca = near.quantised.find((v) => v.name === "Ca")!;
    // 0.238 + one presynaptic jump (Ca_pre = 1) reaches theta_d = 1.2
    expect(ca.deadZone!.flag).toContain("within one event's jump (1) of the threshold 1.2");
    const report = quantisationReport(near.quantised, "cmos");
    expect(report).toMatch(/syn\.Ca[\s\S]*decay \(rest 0, D 0\.99591\d* per update, nearest\): stops up to 0\.239 \(122 LSB\) above its rest; compared against 1\.2, 3/);
    expect(report).toContain("! dead zone: under nearest rounding the decay stops up to 0.2388 above its rest 0, within one event's jump (1) of the threshold 1.2");
    const chip = compileFixed(program, cmos, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    const caChip = chip.quantised.find((v) => v.name === "Ca")!;
    expect(caChip.deadZone!.above).toBe(0);
    expect(caChip.deadZone!.flag).toBeNull();
    expect(caChip.deadZone!.stamped).toBe(true);
    expect(quantisationReport(chip.quantised, "cmos")).toMatch(/decay \(rest 0, D [\d.]+ per update, time-stamped: read as stored x D\^n, rounded once; stochastic at events\): stops at its rest; compared against 1\.2, 3/);
  });

  it("floor (bss2) has a dead zone below the rest only: none for calcium, which never goes below 0", () => {
    const program = compile("models/stc/slfs.yaml", { target: "bss2" });
    const { quantised } = compileFixed(program, bss2, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
    const z = quantised.find((v) => v.name === "Ca")!.deadZone!;
    expect([z.above, z.below, z.rule]).toEqual([0, 0, "floor"]);
  });
});
