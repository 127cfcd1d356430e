/**
 * Stable, readable text form of an IR program (engram inspect, golden files). Same program,
 * same text: no timestamps, no object order dependence, numbers printed exactly.
 */
import type { IrFixedFormat, IrProgram } from "./codec.ts";
import { OP_BY_CODE } from "./ops.ts";

const ROUNDING = ["?", "floor", "nearest", "stochastic"];
const OVERFLOW = ["?", "wrap", "saturate"];
const INDEX = ["?", "self", "pre", "post"];

export function formatText(f: IrFixedFormat): string {
  const q = `${f.signed ? "s" : "u"}Q${f.width - f.frac - (f.signed ? 1 : 0)}.${f.frac}`;
  return `${q}/${f.width} ${ROUNDING[f.rounding] ?? f.rounding} ${OVERFLOW[f.overflow] ?? f.overflow}`;
}

/** Shows long arrays as their first values plus a count. */
function list(xs: readonly number[], max = 8): string {
  if (xs.length === 0) return "[]";
  const allSame = xs.every((x) => x === xs[0]);
  if (allSame && xs.length > 1) return `[${xs[0]} x${xs.length}]`;
  return xs.length <= max ? `[${xs.join(", ")}]` : `[${xs.slice(0, max).join(", ")}, ... (${xs.length})]`;
}

export function printProgram(p: IrProgram): string {
  const h = p.header;
  const out: string[] = [];
  out.push(`engram IR v${h.ir_version}  target ${h.target}  engram ${h.engram_version}`);
  out.push(`model ${h.model_name}  sha256 ${h.model_sha256}  seed ${h.seed}`);
  out.push(`tick ${h.tick_seconds} s  duration ${h.duration_ticks} ticks (${h.duration_ticks * h.tick_seconds} s)  acceleration ${h.acceleration}  clock ${h.clock_hz} Hz${h.rounding_bits ? `  rounding draws ${h.rounding_bits} bits` : ""}`);
  out.push("groups:");
  p.groups.forEach((g, i) => out.push(`  g${i} ${g.name}: ${g.kind === 1 ? "neurons" : "synapses"} x${g.size}`));
  out.push("states:");
  p.states.forEach((s, i) => {
    const lsb = 2 ** -s.format.frac * (s.unit_scale ? 1 / s.unit_scale : 1);
    out.push(`  s${i} ${s.name} (g${s.group}): ${formatText(s.format)}  lsb ${lsb.toPrecision(4)} ${s.unit}  init ${list(s.init)}`);
  });
  out.push("connectivity:");
  p.connectivity.forEach((c) => {
    out.push(`  g${c.synapses}: g${c.pre} -> g${c.post}  pre ${list(c.pre_index)}  post ${list(c.post_index)}`);
    if (c.row.length > 0) out.push(`    placed: array ${list(c.array)}  row ${list(c.row)}  column ${list(c.column)}  label ${list(c.label)}`);
  });
  out.push("kernels:");
  p.kernels.forEach((k, i) => {
    const trig = k.periodic ? `every ${k.periodic.period_ticks} ticks from ${k.periodic.offset_ticks}${k.periodic.gated ? ` over the elements where s${k.periodic.gate_state} != 0` : ""}` : k.on_spike ? `on ${k.on_spike.post ? "post" : "pre"} spikes of g${k.on_spike.source} after ${k.on_spike.delay_ticks} ticks` : "no trigger";
    out.push(`  k${i} ${k.name} over g${k.group}, ${trig}, ${k.unit === 2 ? "analog core" : `digital, ${k.cycles} cycles`}`);
    k.registers.forEach((r, j) => out.push(`    r${j}: ${formatText(r.format)}`));
    k.ops.forEach((o, j) => {
      const info = OP_BY_CODE.get(o.op);
      const name = info?.name ?? `OP${o.op}`;
      const src = o.src.map((r) => `r${r}`);
      let text: string;
      switch (name) {
        case "LOAD":
          text = `r${o.dst} = LOAD s${o.state}[${INDEX[o.index]}]`;
          break;
        case "STORE":
        case "STORE_ADD":
          text = `${name} s${o.state}[${INDEX[o.index]}] ${name === "STORE" ? "=" : "+="} ${src[0]}`;
          break;
        case "CONST":
          text = `r${o.dst} = CONST ${o.imm}`;
          break;
        case "SHR":
        case "SHL":
          text = `r${o.dst} = ${name} ${src[0]}, ${o.imm}`;
          break;
        case "SPIKE":
          text = `SPIKE ${src[0]}`;
          break;
        case "RAND_NORMAL":
          text = `r${o.dst} = RAND_NORMAL if ${src[0]}`;
          break;
        case "NOW":
          text = `r${o.dst} = NOW + ${o.imm}`;
          break;
        case "LOOKUP": {
          const t = o.table ?? [];
          text = `r${o.dst} = LOOKUP ${src[0]} in [${t.slice(0, 4).join(", ")}${t.length > 4 ? `, ... ${t.length} entries` : ""}]`;
          break;
        }
        default:
          text = `r${o.dst} = ${name} ${src.join(", ")}`;
      }
      out.push(`    ${String(j).padStart(3)}: ${text}`);
    });
  });
  out.push("stimuli:");
  p.stimuli.forEach((s) => {
    if (s.spikes) out.push(`  g${s.group}: spikes at ticks ${list(s.spikes.ticks)} neurons ${list(s.spikes.neurons)}`);
    else if (s.poisson) {
      const q = s.poisson;
      out.push(`  g${s.group}: poisson p/tick ${q.prob_per_tick_q32}/2^32 ticks [${q.start_tick}, ${q.stop_tick}) bursts ${q.burst_on_ticks}/${q.burst_period_ticks} neurons ${list(q.neurons)}`);
    } else if (s.regular) {
      const q = s.regular;
      out.push(`  g${s.group}: regular every ${q.interval_ticks} ticks [${q.start_tick}, ${q.stop_tick}) neurons ${list(q.neurons)}`);
    } else if (s.current) {
      const c = s.current;
      const kind = c.kick_raw !== 0 ? `OU current into s${c.input_state} state s${c.ou_state} mean ${c.mean_raw} decay ${c.decay_q32}/2^32 kick ${c.kick_raw}` : `current into s${c.input_state} ${c.mean_raw}`;
      out.push(`  g${s.group}: ${kind} ticks [${c.start_tick}, ${c.stop_tick}) neurons ${list(c.neurons)}`);
    } else if (s.stream) {
      const q = s.stream;
      out.push(`  g${s.group}: stream into s${q.input_state} ${q.channels} channel(s) ticks [${q.start_tick}, ${q.stop_tick}) samples Q.${q.sample_frac} ${list(q.samples)} weights Q.${q.weight_frac} ${list(q.weights)} neurons ${list(q.neurons)}`);
    }
  });
  out.push("probes:");
  p.probes.forEach((pr) => out.push(`  ${pr.column}: s${pr.state} elements ${list(pr.elements)} every ${pr.every_ticks} ticks`));
  return out.join("\n") + "\n";
}
