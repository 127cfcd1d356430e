/**
 * Pass "map": places neurons and synapses on the target's synapse crossbar, when it has one.
 * Postsynaptic neurons take columns (filling one array, then the next); each synapse takes a row
 * in its neuron's column. A source keeps the same row wherever it can, so rows are shared by few
 * distinct sources; the sources sharing a row are told apart by labels, of which a row has
 * 2^labelBits. Greedy and deterministic; it reports, rather than hides, what does not fit.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Program, ProjectionIR } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";

export interface Placement {
  array: Int32Array;
  row: Int32Array;
  column: Int32Array;
  label: Int32Array;
}

export interface MapResult {
  placements: Map<string, Placement>;
  violations: Diagnostic[];
}

export function mapToCrossbar(program: Program, caps: TargetCaps): MapResult {
  const xb = caps.synapseArray;
  const placements = new Map<string, Placement>();
  const violations: Diagnostic[] = [];
  if (!xb) return { placements, violations };
  const labels = 2 ** xb.labelBits;
  // Columns: every non-source neuron, population by population.
  const columnOf = new Map<string, number>();
  let nextColumn = 0;
  for (const p of program.populations) {
    if (p.source) continue;
    columnOf.set(p.name, nextColumn);
    nextColumn += p.size;
  }
  const totalColumns = xb.arrays * xb.columns;
  // Per physical column: which rows are taken. Per (array, row): the distinct sources and their labels.
  const taken = new Map<number, Set<number>>();
  const rowSources = new Map<string, Map<string, number>>();
  let worstRow = { sources: 0, where: "" };
  for (const pr of program.projections) {
    const base = columnOf.get(pr.post);
    if (base === undefined) continue;
    const n = pr.size;
    const pl: Placement = { array: new Int32Array(n), row: new Int32Array(n), column: new Int32Array(n), label: new Int32Array(n) };
    const preferred = new Map<number, number>();
    const order = sortedByPre(pr);
    for (const k of order) {
      const col = base + pr.postIndex[k]!;
      const array = Math.floor(col / xb.columns) % xb.arrays;
      const used = taken.get(col) ?? new Set<number>();
      taken.set(col, used);
      const source = `${pr.pre}:${pr.preIndex[k]}`;
      // Prefer the source's row; otherwise the first free row whose label space is not full.
      let row = preferred.get(pr.preIndex[k]!) ?? -1;
      if (row < 0 || used.has(row) || full(rowSources, array, row, source, labels)) {
        row = -1;
        for (let r = 0; r < xb.rows; r++) {
          if (!used.has(r) && !full(rowSources, array, r, source, labels)) {
            row = r;
            break;
          }
        }
      }
      if (row < 0) row = firstFree(used, xb.rows); // over the label space or the column: reported below
      if (!preferred.has(pr.preIndex[k]!)) preferred.set(pr.preIndex[k]!, row);
      used.add(row);
      const key = `${array}:${row}`;
      const onRow = rowSources.get(key) ?? new Map<string, number>();
      rowSources.set(key, onRow);
      if (!onRow.has(source)) onRow.set(source, onRow.size);
      if (onRow.size > worstRow.sources) worstRow = { sources: onRow.size, where: `array ${array}, row ${row}` };
      pl.array[k] = array;
      pl.row[k] = row;
      pl.column[k] = col % xb.columns;
      pl.label[k] = onRow.get(source)! % labels;
    }
    placements.set(pr.name, pl);
    // One sign per row: a projection whose weights can take both signs cannot share rows.
  }
  if (nextColumn > totalColumns) {
    violations.push({ code: "drc-columns", message: `${nextColumn} neurons need as many synapse columns; the crossbar has ${totalColumns} (${xb.source})`, expected: `<= ${totalColumns}`, received: String(nextColumn), hint: "reduce the number of neurons" });
  }
  if (worstRow.sources > labels) {
    violations.push({ code: "drc-labels", message: `${worstRow.sources} distinct sources share ${worstRow.where}, but a row tells only ${labels} apart by their ${xb.labelBits}-bit labels (${xb.source})`, expected: `<= ${labels} sources per row`, received: `${worstRow.sources} sources`, hint: "reduce the number of distinct presynaptic sources or the fan-in, so that every row serves at most that many" });
  }
  return { placements, violations };
}

function full(rowSources: Map<string, Map<string, number>>, array: number, row: number, source: string, labels: number): boolean {
  const onRow = rowSources.get(`${array}:${row}`);
  return onRow !== undefined && !onRow.has(source) && onRow.size >= labels;
}

function firstFree(used: Set<number>, rows: number): number {
  for (let r = 0; r < rows; r++) if (!used.has(r)) return r;
  return rows - 1;
}

function sortedByPre(pr: ProjectionIR): number[] {
  return Array.from({ length: pr.size }, (_, k) => k).sort((a, b) => pr.preIndex[a]! - pr.preIndex[b]! || pr.postIndex[a]! - pr.postIndex[b]!);
}
