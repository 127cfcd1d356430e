/**
 * Checks the `tasks.windows` of a model (windows.ts): each range [from, to) non-empty, train before
 * test, the retest after the test, the shifted targets inside the stream, the states inside the
 * run, more train samples than states, and distinct names. Each problem is located at its window.
 *
 * For a `sequence` stream the windows also know its switches: sample i reads the state at tick
 * start + 1 + i and targets stream row i + shift, so a range [from, to) touches rows
 * [from + min(0, minShift), to - 1 + max(0, maxShift)]. If those rows span a switch, the range's
 * states and targets come from different segments (e.g. a subtask-1 readout trained on targets of
 * subtask 2): refused, naming the switch and the last `to` (or first `from`) that avoids it.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { TasksDef } from "../../ir/program.ts";

/** streamRows: stream samples available; runRows: samples whose state the run has (sample i = tick start + 1 + i <= the last tick). */
export function checkWindows(t: TasksDef, streamRows: number, runRows: number, states: number, switches: readonly number[] = []): Diagnostic[] {
  const d: Diagnostic[] = [];
  const minShift = Math.min(...t.shifts);
  const maxShift = Math.max(...t.shifts);
  const seen = new Set<string>();
  (t.windows ?? []).forEach((w, i) => {
    const at = `tasks.windows[${i}] (${w.name})`;
    const bad = (message: string, received: unknown, hint?: string) => d.push({ code: "bad-window", message: `${at}: ${message}`, where: w.where, received: JSON.stringify(received), hint });
    if (seen.has(w.name)) bad(`the name "${w.name}" is used by an earlier window`, w.name, "give every window its own name");
    seen.add(w.name);
    const ranges: [string, [number, number]][] = [["train", w.train], ["test", w.test], ...(w.retest ? [["retest", w.retest] as [string, [number, number]]] : [])];
    for (const [key, [from, to]] of ranges) {
      if (to <= from) bad(`${key} [${from}, ${to}) is empty: "to" must exceed "from"`, [from, to]);
      if (from + minShift < 0) bad(`${key} starts at sample ${from}; shift ${minShift} looks back before the stream's first sample`, [from, to], `start it at ${-minShift} or later`);
      if (to + Math.max(0, maxShift) > streamRows) bad(`${key} [${from}, ${to}) with the largest shift ${maxShift} needs ${to + Math.max(0, maxShift)} stream samples; the stream has ${streamRows}`, [from, to], "end the window earlier or lengthen the stream");
      if (to > from) {
        const first = from + Math.min(0, minShift);
        const last = to - 1 + Math.max(0, maxShift);
        const at = switches.find((s) => s > first && s <= last);
        if (at !== undefined) {
          bad(
            `${key} [${from}, ${to}) with shifts ${minShift}..${maxShift} reads stream rows ${first}..${last}, across the sequence's switch at sample ${at} (where its segment ${switches.indexOf(at) + 1} begins)`,
            [from, to],
            at > from ? `end ${key} at ${at - Math.max(0, maxShift)} or earlier, or start it at ${at - Math.min(0, minShift)} or later` : `start ${key} at ${at - Math.min(0, minShift)} or later`,
          );
        }
      }
      if (to > runRows) bad(`${key} [${from}, ${to}) needs states up to sample ${to - 1}, after the end of the run (samples 0..${runRows - 1} after the stream's start)`, [from, to], "end the window earlier or lengthen the run");
    }
    if (w.train[1] - w.train[0] <= states) bad(`train has ${w.train[1] - w.train[0]} samples; it must exceed the number of states (${states}) for a meaningful fit`, w.train);
    if (w.test[0] < w.train[1]) bad(`test [${w.test[0]}, ${w.test[1]}) starts before train [${w.train[0]}, ${w.train[1]}) ends`, w.test, "test after training");
    if (w.retest && w.retest[0] < w.test[1]) bad(`retest [${w.retest[0]}, ${w.retest[1]}) starts before test [${w.test[0]}, ${w.test[1]}) ends`, w.retest, "the retest is a later window, to measure forgetting");
  });
  return d;
}
