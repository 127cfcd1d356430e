/**
 * Read-back results on the host: the board's raw probe and spike buffers, checked against the IR
 * they came from and loaded into an (unrun) EmulatorHandle, so that they are presented by the very
 * code `engram run` uses: the same tables, the same scaling, the same bits.
 */
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import type { IrProgram } from "../src/ir/codec.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";
import type { Results } from "./messages.ts";

export function handleOfResults(ir: IrProgram, r: Results, port: string): EmulatorHandle {
  const bad = (message: string): never => {
    throw new EngramError([{ code: "bad-results", message: `the results from ${port} do not fit the uploaded image: ${message}` }]);
  };
  if (r.probes.length !== ir.probes.length) bad(`${r.probes.length} probe tables, the image has ${ir.probes.length} probes`);
  const handle = new EmulatorHandle(ir);
  const e = handle.emulator;
  r.probes.forEach((p, i) => {
    const width = ir.probes[i]!.elements.length;
    if (p.data.length !== p.ticks.length * width) bad(`probe ${i} (${ir.probes[i]!.column}) has ${p.data.length} values for ${p.ticks.length} samples of ${width} elements`);
    e.probes[i]!.ticks = p.ticks;
    e.probes[i]!.data = p.data;
  });
  const n = r.spike_ticks.length;
  if (r.spike_groups.length !== n || r.spike_elements.length !== n) bad(`spike arrays of lengths ${n}, ${r.spike_groups.length}, ${r.spike_elements.length}`);
  for (let i = 0; i < n; i++) {
    const g = ir.groups[r.spike_groups[i]!];
    if (!g || r.spike_elements[i]! >= g.size) bad(`spike ${i} names group ${r.spike_groups[i]} element ${r.spike_elements[i]}`);
  }
  e.spikes = { ticks: r.spike_ticks, groups: r.spike_groups, elements: r.spike_elements };
  const s = r.stats;
  Object.assign(e.stats, { ticks: s.stepped_ticks, jumpedTicks: s.jumped_ticks, overruns: s.overruns, maxBacklogCycles: s.max_backlog_cycles, saturations: s.saturations, wallSeconds: s.wall_seconds });
  handle.stats.denseSteps = s.stepped_ticks;
  handle.stats.wallSeconds = s.wall_seconds;
  return handle;
}
