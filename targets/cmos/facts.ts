/**
 * Our CMOS multi-timescale plasticity chip. No public description exists (targets.md section 4);
 * every figure is an assumption, sized for the Luboeinski-Tetzlaff memory network.
 */
import { assume, type ChipFacts } from "../facts.ts";

export const facts: ChipFacts = {
  name: "cmos",
  doc: "A digital-state CMOS plasticity chip: per-synapse fixed-point calcium, early (h) and late (z) weights, per-neuron protein pools, updated by near-memory datapaths. All figures are assumptions.",
  sections: {
    time: {
      acceleration: assume(1, "x", "real-time operation by default; targets.md 5.2 suggests configurable 1..1000"),
      accelerated_option: assume(1000, "x", "accelerated mode of the same clock tree"),
    },
    resources: {
      neurons: assume(2048, "neurons", "sized for the 2000-neuron STC network"),
      // Was 2048 x 128 = 262144, which could not hold the network it was sized for: 2000 neurons at
      // p = 0.1 make 400070 synapses, up to 255 on one neuron. 256 words per neuron hold them.
      synapses: assume(524288, "synapses", "2048 x 256 synapse memory: one 256-word row per neuron, sized for the 2000-neuron STC network (400070 synapses, at most 255 per neuron)"),
      fan_in: assume(1024, "inputs per neuron", "address space of the synapse memory rows"),
    },
    state: {
      widths: assume([8, 16], "bit", "configurable state width 8-16 bit (the IR uses 8, 10, 12, 14 or 16)"),
      synapse_state_width: assume(12, "bit", "default width of calcium, h and z"),
      neuron_state_width: assume(16, "bit", "default width of membrane, current and protein"),
      register_width: assume(24, "bit", "datapath registers"),
      accumulator_width: assume(24, "bit", "summed inputs (reductions of synaptic values onto a neuron) accumulate in datapath-width words of the neuron memory"),
      time_stamp_width: assume(32, "bit", "tick counter and per-synapse time stamps of event-driven synapses (with a 1-bit gate per synapse word); at 0.2 ms a stamp wraps after 9.9 days, and differences of wrapped stamps stay exact"),
    },
    datapath: {
      clock: assume(100e6, "Hz", "digital update clock"),
      update_units: assume(4096, "units", "one near-memory unit per 64-synapse segment, all executing the same op stream"),
      alu_op: assume(1, "cycle", "add, subtract, compare, select"),
      multiply: assume(2, "cycles", "16 x 16 multiplier"),
      memory_access: assume(1, "cycle", "SRAM read or write"),
      rounding: assume("nearest or stochastic (LFSR per unit)", "", "both implemented in the datapath"),
      function_table: assume(1024, "entries", "a ROM of 1024 x 24-bit words per update unit for functions without an op (tanh, logistic), read by LOOKUP, with linear interpolation between entries (one multiply)"),
      trace_decay: assume("stamped", "", "a synaptic trace (calcium of a plastic synapse) is stored as its value after the last event and read as that value times D^n, n the ticks since, from a table of decay factors (the table of event-driven synapses), rounded to nearest once per read; an event stores the decayed value (with decay_rounding) plus its jump. Dense stepping and event-driven synapses then hold the same values"),
      decay_rounding: assume("stochastic", "", "decay steps of calcium and other pure decays are dithered by the unit's LFSR, whatever the rounding of the other updates: unbiased, and they reach 0 (round-to-nearest would stop them within LSB / (2 (1 - D)) of it, 0.24 for 12-bit calcium; a floor or one-LSB minimum step would shorten calcium transients by up to LSB / (1 - D))"),
    },
    inputs: {
      stream_channels: assume(64, "channels", "time-series input: the board streams one sample per channel per tick into the chip's input buffer"),
      stream_sample_width: assume(16, "bit", "signed samples of the input buffer"),
      stream_weight_width: assume(16, "bit", "signed input weights, one per (neuron, channel), in the neuron memory"),
      stream_vector_channel_cycles: assume(4, "cycles", "every tick, per channel and per group of update_units driven neurons: weight read (memory_access 1), multiply (2), add into the accumulator (alu_op 1)"),
      stream_vector_cycles: assume(1, "cycle", "every tick, per group of update_units driven neurons: write of the summed input (memory_access 1)"),
    },
    noise_and_mismatch: {
      device_to_device: assume(0.1, "relative SD", "targets.md 5.2"),
      cycle_to_cycle: assume(0.02, "relative SD", "targets.md 5.2"),
    },
    // No publication of this chip exists (energy.md): every figure is an assumption bracketed by
    // published digital neuromorphic chips.
    energy: {
      static_power: assume(50e-6, "W", "leakage and clock tree in real time; ReckOn (Frenkel & Indiveri, ISSCC 2022, 28 nm) learns in real time at < 50 uW"),
      energy_per_synaptic_event: assume(10e-12, "J", "between ReckOn's 5.3 pJ (ISSCC 2022) and ODIN's 12.7 pJ (Frenkel et al. 2019, IEEE TBioCAS 13:145) per synaptic operation"),
      energy_per_synaptic_transmission: assume(10e-12, "J", "one step of a synapse that transmits every step and learns nothing (read w, multiply by the presynaptic rate, add into the postsynaptic input): priced as one synaptic operation, like energy_per_synaptic_event"),
      energy_per_plasticity_update: assume(120e-12, "J", "one synapse-state update of the datapath; Loihi's pre-silicon 120 pJ per STDP update (Davies et al. 2018, IEEE Micro 38:82)"),
      energy_per_stream_input: assume(10e-12, "J", "one multiply-add of a stream sample into a neuron's input (read the input weight, multiply by the sample, add): priced as a synaptic transmission"),
      energy_per_spike: assume(20e-12, "J", "neuron update and spike routing; of the order of one synaptic operation (Loihi 23.6 pJ, Davies et al. 2018)"),
    },
    host_link: {
      transport: assume("USB serial, 8N1", "", "the board's microcontroller bridges USB to the chip"),
      baud_rates: assume([115200, 921600], "baud", "the rates the firmware bridge is tested at"),
    },
  },
};
