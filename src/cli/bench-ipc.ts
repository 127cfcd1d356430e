/**
 * engram bench --ipc (issue 15): the IPC estimator on N = 100 tanh echo-state networks
 * (spectral radius 0.9) with T = 10^5 samples up to degree 3, the target being <= 10 s on
 * one core. Reports CPU time (on a shared machine wall time overstates the work), targets
 * evaluated per second, and where the time goes: the factorisation (z-scoring, covariance,
 * eigendecomposition), the per-target products p = X'z (T x N each) and building the targets.
 */
import { runEsn } from "../analysis/ipc/esn.ts";
import { informationProcessingCapacity, IPC_DEFAULTS } from "../analysis/ipc/search.ts";

export function ipcBench(quick: boolean): string[] {
  const T = quick ? 20_000 : 100_000, N = 100, washout = 200;
  const lines = [
    `IPC estimator (src/analysis/ipc/), tanh ESN N = ${N}, rho = 0.9, T = ${T}, degrees <= 3, delays <= ${washout}; node ${process.version}`,
    "",
    "| input scaling | C deg 1 | C deg 2 | C deg 3 | total | rank | targets evaluated | factorise (s) | search (s) | of which products X'z (s) | IPC wall (s) | IPC CPU (s) | targets / wall s of search | targets / CPU s (whole IPC) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const scale of [0.1, 1.0]) {
    const { u, states } = runEsn({ units: N, samples: T, washout, inputScale: scale, spectralRadius: 0.9, activation: "tanh", seed: 1 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = informationProcessingCapacity(u, washout, states, T, N, { ...IPC_DEFAULTS, maxDegree: 3, maxDelay: washout });
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(cpu0);
    const cpu = (c.user + c.system) / 1e6;
    const d = (k: number) => (r.byDegree[k] ?? 0).toFixed(2);
    lines.push(`| ${scale} | ${d(0)} | ${d(1)} | ${d(2)} | ${r.total.toFixed(2)} | ${r.rank} | ${r.evaluated} | ${r.seconds.factorise.toFixed(2)} | ${r.seconds.search.toFixed(2)} | ${r.seconds.products.toFixed(2)} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${(r.evaluated / r.seconds.search).toFixed(0)} | ${(r.evaluated / cpu).toFixed(0)} |`);
  }
  return lines;
}
