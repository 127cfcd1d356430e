/**
 * Where a fixed-point variant's decays stop (the dead zones of src/compiler/fixed/decay.ts), as
 * horizontal rules for `engram compare`'s overlay: one per side of the rest a variable's decay
 * stops short on, in the recording's display unit.
 */
import type { QuantisedVar } from "../compiler/fixed/quantise.ts";
import type { RecordingIR } from "../ir/program.ts";

export function deadZoneRules(label: string, quantised: QuantisedVar[], recordings: RecordingIR[]): Map<string, { label: string; value: number; note: string }[]> {
  const out = new Map<string, { label: string; value: number; note: string }[]>();
  for (const r of recordings) {
    const q = quantised.find((v) => v.group === r.group && v.name === r.var);
    const z = q?.deadZone;
    if (!z || z.rest === null || (z.above === 0 && z.below === 0)) continue;
    const scale = r.unitScale || 1;
    const rules = [
      ...(z.above > 0 ? [{ label, value: (z.rest + z.above) / scale, note: `${label}: decay stops up to here (${z.rule})` }] : []),
      ...(z.below > 0 ? [{ label, value: (z.rest - z.below) / scale, note: `${label}: decay stops down to here (${z.rule})` }] : []),
    ];
    for (const c of r.columns) out.set(c, [...(out.get(c) ?? []), ...rules]);
  }
  return out;
}
