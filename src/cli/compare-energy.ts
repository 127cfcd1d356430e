/** engram compare's energy columns: per variant, the activity and each energy model's total (DIR/compare-energy.csv). */
import { join } from "node:path";
import type { Program } from "../ir/program.ts";
import type { RunHandle } from "../../targets/target.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { energyOfRun } from "./run-energy.ts";

export function writeCompareEnergy(out: string, variants: { label: string; handle: RunHandle; program: Program; target: string }[]): string {
  const rows = variants.map((v) => {
    const e = energyOfRun(v.program, v.handle, v.target);
    const a = e.activity;
    return { label: v.label, a, bio: e.models.biology, bss2: e.models.bss2.joules, cmos: e.models.cmos.joules, basis: `bss2 ${v.target === "bss2" ? "measured" : "estimated"}; cmos ${v.target === "cmos" ? "measured" : "estimated"}` };
  });
  const csv = ["variant,spikes,synaptic_events,synaptic_transmissions,plasticity_updates,processor_cycles,biology_atp,biology_j,bss2_j,cmos_j,chip_basis",
    ...rows.map((r) => [r.label, r.a.spikes, r.a.synapticEvents, r.a.transmissions, r.a.plasticityUpdates, r.a.digitalCycles ?? "", r.bio.atp, r.bio.joules, r.bss2, r.cmos, r.basis].join(","))].join("\n") + "\n";
  writeFileAtomic(join(out, "compare-energy.csv"), csv);
  const g = (x: number) => x.toPrecision(3);
  return [
    `${"variant".padEnd(26)} ${"spikes".padStart(9)} ${"plast. upd.".padStart(11)} ${"biology ATP".padStart(11)} ${"bss2 J".padStart(9)} ${"cmos J".padStart(9)}`,
    ...rows.map((r) => `${r.label.padEnd(26)} ${g(r.a.spikes).padStart(9)} ${g(r.a.plasticityUpdates).padStart(11)} ${g(r.bio.atp).padStart(11)} ${g(r.bss2).padStart(9)} ${g(r.cmos).padStart(9)}`),
    "  (a chip's energy is measured on its own rows (its emulator's counts and cycles) and estimated from the event counts elsewhere)",
  ].join("\n");
}
