/**
 * A markdown table of the energy sections of run folders' manifests (docs/energy.md).
 * Run: node --import tsx scripts/energy-table.ts DIR [DIR ...]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const g = (x: number) => (x === 0 ? "0" : x.toPrecision(3));
const lines = [
  "| model | run on | simulated | neurons | spikes | synaptic events | synaptic transmissions | plasticity updates (periodic + spike-triggered) | processor busy (s) | biology: ATP | biology: J | BSS-2: J (chip wall s) | CMOS: J (static + dynamic) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const dir of process.argv.slice(2)) {
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const e = m.energy, a = e.activity, b = e.models.bss2, c = e.models.cmos;
  const est = (basis: string) => (basis.startsWith("measured") ? "" : " est.");
  lines.push(`| ${m.model.name} | ${m.target} | ${m.simulated_s >= 3600 ? `${(m.simulated_s / 3600).toFixed(2)} h` : `${m.simulated_s} s`} | ${a.neurons} | ${g(a.spikes)} | ${g(a.synapticEvents)} | ${g(a.transmissions ?? 0)} | ${g(a.periodicUpdates)} + ${g(a.eventUpdates)} | ${b.processor_busy_s === null ? "—" : g(b.processor_busy_s)} | ${g(e.models.biology.atp)} | ${g(e.models.biology.joules)} | ${g(b.joules)} (${g(b.wall_s)})${est(b.basis)} | ${g(c.joules)} (${g(c.static_j)} + ${g(c.dynamic_j)})${est(c.basis)} |`);
}
process.stdout.write(lines.join("\n") + "\n");
