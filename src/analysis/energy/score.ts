/** Score per energy (the talk's efficiency measure): a task score divided by each model's energy. */
import type { EnergySection } from "./energy.ts";

export function scorePerEnergy(metric: string, score: number, e: Pick<EnergySection, "models">) {
  return {
    metric, value: score,
    per_atp: score / e.models.biology.atp,
    per_joule: { biology: score / e.models.biology.joules, bss2: score / e.models.bss2.joules, cmos: score / e.models.cmos.joules },
  };
}
