/** The energy section of a run's manifest, from the handle that ran it (src/analysis/energy/). */
import type { Program } from "../ir/program.ts";
import type { RunHandle } from "../../targets/target.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { activityOf, type RunCounts } from "../analysis/energy/activity.ts";
import { energySection, type EnergySection } from "../analysis/energy/energy.ts";

export function energyOfRun(program: Program, handle: RunHandle, target: string): EnergySection {
  const spikesByPopulation = new Map<string, number>();
  let counts: RunCounts;
  if (handle instanceof EmulatorHandle) {
    const e = handle.emulator;
    const names = handle.ir.groups.map((g) => g.name);
    for (const g of e.spikes.groups) spikesByPopulation.set(names[g]!, (spikesByPopulation.get(names[g]!) ?? 0) + 1);
    counts = { spikesByPopulation, tables: handle.recorded.tables, emulator: { synapseUpdates: e.stats.synapseUpdates, eventSynapseUpdates: e.stats.eventSynapseUpdates, transmissionSynapseUpdates: e.stats.transmissionSynapseUpdates, digitalCycles: e.stats.digitalCycles } };
  } else {
    if (handle instanceof Executor) program.populations.forEach((p, i) => spikesByPopulation.set(p.name, handle.stats.spikes[i]!));
    counts = { spikesByPopulation, tables: handle.recorded.tables };
  }
  return energySection(activityOf(program, counts), target);
}
