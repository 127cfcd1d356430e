/**
 * engram bench --ipc (issue 15): the IPC estimator on N = 100 tanh echo-state networks
 * (spectral radius 0.9) with T = 10^5 samples up to degree 3, the target being <= 10 s on
 * one core. Reports CPU time (on a shared machine wall time overstates the work), targets
 * evaluated per second, and where the time goes: the factorisation (z-scoring, covariance,
 * eigendecomposition), the per-target products p = X'z (T x N each) and building the targets.
 * Each network is measured one target at a time (batch 1) and batched (IPC_BATCH), and the two
 * results are compared bit for bit.
 */
import { runEsn } from "../analysis/ipc/esn.ts";
import { loadavg } from "node:os";
import { informationProcessingCapacity, IPC_BATCH, IPC_DEFAULTS, type IpcResult } from "../analysis/ipc/search.ts";

export function ipcBench(quick: boolean): string[] {
  const T = quick ? 20_000 : 100_000, N = 100, washout = 200;
  const lines = [
    `IPC estimator (src/analysis/ipc/), tanh ESN N = ${N}, rho = 0.9, T = ${T}, degrees <= 3, delays <= ${washout}; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    "",
    "| input scaling | batch | C deg 1 | C deg 2 | C deg 3 | total | rank | targets evaluated | speculative (discarded) | factorise (s) | search (s) | of which products X'z (s) | of which building targets (s) | IPC wall (s) | IPC CPU (s) | targets / CPU s (whole IPC) | same result as batch 1 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const scale of [0.1, 1.0]) {
    const { u, states } = runEsn({ units: N, samples: T, washout, inputScale: scale, spectralRadius: 0.9, activation: "tanh", seed: 1 });
    let one: IpcResult | undefined;
    for (const batch of [1, IPC_BATCH]) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = informationProcessingCapacity(u, washout, states, T, N, { ...IPC_DEFAULTS, maxDegree: 3, maxDelay: washout, batch });
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(cpu0);
      const cpu = (c.user + c.system) / 1e6;
      one ??= r;
      const same = r.evaluated === one.evaluated && r.terms.length === one.terms.length && r.terms.every((t, i) => Object.is(t.capacity, one!.terms[i]!.capacity)) && Object.is(r.total, one.total);
      const d = (k: number) => (r.byDegree[k] ?? 0).toFixed(2);
      lines.push(`| ${scale} | ${batch} | ${d(0)} | ${d(1)} | ${d(2)} | ${r.total.toFixed(2)} | ${r.rank} | ${r.evaluated} | ${r.speculative} | ${r.seconds.factorise.toFixed(2)} | ${r.seconds.search.toFixed(2)} | ${r.seconds.products.toFixed(2)} | ${r.seconds.targets.toFixed(2)} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${(r.evaluated / cpu).toFixed(0)} | ${same ? "bit-identical" : "DIFFERENT"} |`);
    }
  }
  return lines;
}
