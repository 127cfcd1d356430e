/**
 * engram bench --ipc (issue 15): the IPC estimator on N = 100 tanh echo-state networks
 * (spectral radius 0.9) with T = 10^5 samples up to degree 3, the target being <= 10 s on
 * one core. Reports CPU time (on a shared machine wall time overstates the work), targets
 * evaluated per second, and where the time goes: the factorisation (z-scoring, covariance,
 * eigendecomposition), the per-target products p = X'z (T x N each) and building the targets.
 * Each network is measured with the plain-JS products (batch IPC_BATCH, the estimator before the
 * SIMD kernel) and with the WebAssembly SIMD kernel (src/util/f64-dots.ts), and the two results
 * compared: the same targets evaluated and kept, capacities to rounding (largest difference shown).
 */
import { runEsn } from "../analysis/ipc/esn.ts";
import { loadavg } from "node:os";
import { informationProcessingCapacity, IPC_BATCH, IPC_DEFAULTS, type IpcResult } from "../analysis/ipc/search.ts";

export function ipcBench(quick: boolean): string[] {
  const T = quick ? 20_000 : 100_000, N = 100, washout = 200;
  const lines = [
    `IPC estimator (src/analysis/ipc/), tanh ESN N = ${N}, rho = 0.9, T = ${T}, degrees <= 3, delays <= ${washout}; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    "",
    "| input scaling | products | C deg 1 | C deg 2 | C deg 3 | total | rank | targets evaluated | speculative (discarded) | factorise (s, wall) | search (s, wall) | of which products X'z (s, wall) | of which building targets (s, wall) | IPC wall (s) | IPC CPU (s) | targets / CPU s (whole IPC) | against plain JS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const scale of [0.1, 1.0]) {
    const { u, states } = runEsn({ units: N, samples: T, washout, inputScale: scale, spectralRadius: 0.9, activation: "tanh", seed: 1 });
    let one: IpcResult | undefined;
    for (const kernel of ["js", "wasm"] as const) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = informationProcessingCapacity(u, washout, states, T, N, { ...IPC_DEFAULTS, maxDegree: 3, maxDelay: washout, batch: IPC_BATCH, kernel });
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(cpu0);
      const cpu = (c.user + c.system) / 1e6;
      one ??= r;
      const sameTerms = r.evaluated === one.evaluated && r.terms.length === one.terms.length && r.terms.every((t, i) => t.delays.join() === one!.terms[i]!.delays.join() && t.degrees.join() === one!.terms[i]!.degrees.join());
      const diff = sameTerms ? Math.max(Math.abs(r.total - one.total), ...r.terms.map((t, i) => Math.abs(t.capacity - one!.terms[i]!.capacity))) : NaN;
      const same = r === one ? "(baseline)" : sameTerms ? `same targets, largest ΔC ${diff.toExponential(1)}` : "DIFFERENT targets";
      const d = (k: number) => (r.byDegree[k] ?? 0).toFixed(2);
      lines.push(`| ${scale} | ${kernel === "js" ? "plain JS" : "WASM SIMD"} (batch ${IPC_BATCH}) | ${d(0)} | ${d(1)} | ${d(2)} | ${r.total.toFixed(2)} | ${r.rank} | ${r.evaluated} | ${r.speculative} | ${r.seconds.factorise.toFixed(2)} | ${r.seconds.search.toFixed(2)} | ${r.seconds.products.toFixed(2)} | ${r.seconds.targets.toFixed(2)} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${(r.evaluated / cpu).toFixed(0)} | ${same} |`);
    }
  }
  return lines;
}
