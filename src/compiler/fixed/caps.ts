/**
 * What the fixed-point passes need to know about a target, as data. Targets build this from
 * their description files (targets/<chip>/); passes never look at a target's name.
 */
export interface TargetCaps {
  name: string;
  /** Hardware time = biological time / acceleration. */
  acceleration: number;
  /** Clock of the digital update logic (plasticity processor or datapath), Hz. */
  clockHz: number;
  /** Elements processed by one instruction, by register width in bits (1 = one element at a time). */
  lanes: Record<number, number>;
  /** Widths a state variable may have, in bits. */
  allowedWidths: number[];
  /** Default width of state variables, by owner. */
  stateWidth: { neuron: number; synapse: number };
  /** Width of intermediate registers. */
  registerWidth: number;
  /** Rounding of intermediate results (hardware shifts floor). */
  registerRounding: "floor" | "nearest";
  /** Op costs: key in the op table's cost record. */
  costKey: "bss2" | "cmos";
  /** Resource limits for the design-rule checks. */
  limits: {
    neurons: number;
    synapses: number;
    fanIn: number;
    /** Bytes of memory for kernel state beyond the synapse array (0 = no limit declared). */
    memoryBytes: number;
  };
  /** Where each limit comes from (for DRC messages). */
  sources: Record<string, string>;
}
