/**
 * What a run of each kernel is, for the energy counters: a synapse kernel that writes no state of
 * a synapse group (it only accumulates into postsynaptic inputs, e.g. a static rate projection's
 * w * f(x) every tick) is a synaptic transmission; one that writes synapse state (a weight, a
 * trace, a tag) is a plasticity update. Decided from the IR's ops once per program, never from a
 * target's name.
 */
import type { IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";

const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code;
const SYNAPSES = 2;

/** Per kernel: 1 if it runs over synapses and writes no synapse state (transmission only), else 0. */
export function transmissionKernels(program: IrProgram): Uint8Array {
  return Uint8Array.from(program.kernels, (k) => {
    if (program.groups[k.group]!.kind !== SYNAPSES) return 0;
    const writesSynapses = k.ops.some((o) => (o.op === STORE || o.op === STORE_ADD) && program.groups[program.states[o.state]!.group]!.kind === SYNAPSES);
    return writesSynapses ? 0 : 1;
  });
}
