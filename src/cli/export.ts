/** engram export MODEL.yaml --to nir -o FILE.nir: the model's static graph as a NIR file (docs/interchange.md). */
import { displayPath } from "../model/load.ts";
import { modelToNir } from "../interchange/model-to-nir.ts";
import { writeNir } from "../interchange/nir-write.ts";

export async function exportNir(model: string, out: string): Promise<void> {
  await writeNir(out, modelToNir(model));
}

export async function exportCommand(opts: { model: string; to: "nir"; out: string }): Promise<number> {
  await exportNir(opts.model, opts.out);
  process.stdout.write(`wrote ${displayPath(opts.out)} (NIR)\n`);
  return 0;
}
