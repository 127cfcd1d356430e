/**
 * BrainScaleS-2 (HICANN-X v3), from ../shared/reference/targets.md (section numbers below; that
 * file names the original sources: halco, haldls, calix, libnux, hxcomm, papers).
 */
import { assume, src, type ChipFacts } from "../facts.ts";

export const facts: ChipFacts = {
  name: "bss2",
  doc: "BrainScaleS-2 HICANN-X v3: analog neurons and synapses in continuous time, 1000x faster than biology, with two embedded SIMD plasticity processors.",
  sections: {
    time: {
      acceleration: src(1000, "x", "targets.md 1.3: 1000x relative to biology"),
      tau_mem: src([0.5e-6, 60e-6], "s (hardware)", "targets.md 1.3: calibration accepts 0.5-60 us"),
      tau_syn: src([0.3e-6, 30e-6], "s (hardware)", "targets.md 1.3: calibration accepts 0.3-30 us"),
      tau_correlation: src([2e-6, 30e-6], "s (hardware)", "targets.md 1.3: correlation sensor 2-30 us"),
      refractory: src([40e-9, 32e-6], "s (hardware)", "targets.md 1.3"),
    },
    neurons: {
      count: src(512, "neurons", "targets.md 1.1: 2 rows x 256 columns"),
      model: src("AdEx, reducible to LIF", "", "targets.md 1.1"),
      analog_parameters: src("per circuit: 8 voltages + 16 currents (CapMem rows), incl. i_bias_leak (tau_mem) and i_bias_synin_{exc,inh}_tau (tau_syn)", "", "targets.md 1.1: per-neuron analog parameters, halco capmem.h"),
      synaptic_inputs: src(2, "per neuron", "targets.md 1.1: excitatory and inhibitory, CUBA or COBA"),
      membrane_capacitance: src([0, 2.2e-12], "F", "targets.md 1.1: 6-bit setting"),
    },
    synapses: {
      arrays: src(2, "synram", "targets.md 1.1: top and bottom hemispheres"),
      rows: src(256, "per array", "targets.md 1.1"),
      columns: src(256, "per array", "targets.md 1.1"),
      total: src(131072, "synapses", "targets.md 1.1: 2 x 256 x 256"),
      weight_bits: src(6, "bit", "targets.md 1.1: weight 0..63"),
      label_bits: src(6, "bit", "targets.md 1.1: address label 0..63"),
      drivers: src(256, "drivers", "targets.md 1.1: 2 blocks x 128, each driving 2 rows"),
      fan_in: src(256, "inputs per neuron and hemisphere", "targets.md 1.1: one column of 256 rows"),
      distinct_sources_per_row: src(64, "labels", "targets.md 1.1: 6-bit label match per row"),
    },
    // Short-term plasticity circuits in the synapse drivers (issue 17). The register fields are in
    // electronicvisions/haldls include/haldls/vx/synapse_driver.h (SynapseDriverConfig); the pulse-
    // width behaviour in calix src/py/calix/spiking/synapse_driver.py (STPOffsetCalibration,
    // STPMultiplication). No readable source gives the circuit's equations, its time-constant range
    // or the scale of its utilisation: those are assumptions below.
    short_term_plasticity: {
      location: src("one STP circuit per synapse driver; each driver serves 2 synapse rows", "", "haldls synapse_driver.h: SynapseDriverConfig holds enable_stp, enable_recovery, utilization, recovery, offset; halco SynapseRowOnSynapseDriver 0..1 (targets.md 1.1)"),
      circuits: src(256, "drivers", "targets.md 1.1: 2 blocks x 128 synapse drivers"),
      utilization_bits: src(4, "bit", "haldls synapse_driver.h: Utilization 0..15 (\"strength of STP utilization\")"),
      recovery_bits: src(4, "bit", "haldls synapse_driver.h: Recovery 0..15 (\"STP recovery time constant\")"),
      offset_bits: src(4, "bit", "haldls synapse_driver.h: Offset 0..15 (\"calibration value for dacen pulse width\")"),
      target_voltage_sets: src(2, "per synapse array", "haldls synapse_driver.h: select_target_voltages chooses one of two (v_recover, v_charge) pairs per driver"),
      acts_on: src("spike events: the STP voltage sets the width of the pulse each event sends into the synapse rows", "", "calix spiking/synapse_driver.py: \"the pulse length is instead determined by the STP voltage\" (STPMultiplication); STPOffsetCalibration calibrates the ramp offsets for spiking mode"),
      facilitation: src("none: the driver has utilization and recovery settings only, no facilitation time constant or state", "", "derived from the field list of haldls synapse_driver.h (no facilitation field)"),
      form: assume("Tsodyks-Markram depression: per event the released fraction U x, x <- x - U x; x recovers to 1 with tau_rec", "", "the register names (utilization, recovery) suggest it; the circuit's equations are not in any readable source"),
      recovery_tau: assume([2e-6, 100e-6], "s (hardware)", "range of tau_rec not published in a readable source; taken as the span of the other calibrated time constants (targets.md 1.3), i.e. 2-100 ms biological"),
      utilization_max: assume(1, "", "the 4-bit utilization is taken to span U = 0..1 in 15 steps; its real scale is set by bias currents not documented here"),
    },
    plasticity_processor: {
      count: src(2, "PPUs", "targets.md 1.7: one per hemisphere"),
      clock: src(250e6, "Hz", "targets.md 1.7: 250 MHz default"),
      vector_bytes: src(128, "bytes", "targets.md 1.7: 128 x 8-bit or 64 x 16-bit lanes"),
      lanes_8bit: src(128, "lanes", "targets.md 1.7"),
      lanes_16bit: src(64, "lanes", "targets.md 1.7"),
      fractional_multiply: src("(a*b) >> 7 or >> 15, floor; -1*-1 saturates to +max", "", "targets.md 1.7: libnux frac.h"),
      decay_rounding: src("floor", "", "targets.md 1.7: a decay x * D is a fractional multiply, (a*b) >> 15 with an arithmetic (floor) shift, so each step drops at least one LSB toward -inf"),
      rng: src("256 LFSRs, one per column, 16-bit state, 8-bit output", "", "targets.md 1.7: libnux parallel_rng.h"),
      memory: src(16384, "bytes", "targets.md 1.7: 16 KiB SRAM"),
      mailbox: src(4096, "bytes", "targets.md 1.7: reserved by grenade"),
      synram_vector_access: src(20, "cycles", "targets.md 1.7: load or store of one vector, 20 +- 2"),
      cadc_row_read: src(410, "cycles", "targets.md 1.7: 410 +- 41"),
      vector_alu_op: assume(1, "cycle", "issue rate of s2pp vector ALU instructions not published; one per cycle assumed"),
      function_table: assume(256, "entries", "a table of 256 16-bit values in PPU memory (512 bytes) for functions without an op (tanh, logistic), read per lane with a vector load; linear interpolation between entries"),
      stream_channels: assume(16, "channels", "time-series input: the FPGA plays one sample per channel per tick into PPU memory; the PPU adds the weighted samples into the neurons' inputs"),
      stream_sample_width: assume(16, "bit", "signed samples, one 16-bit lane each"),
      stream_weight_width: assume(16, "bit", "signed input weights per (neuron, channel) in PPU memory"),
      stream_vector_channel_cycles: assume(50, "cycles", "every tick, per channel and per vector of 64 driven neurons (16-bit lanes): load of that channel's input-weight vector from PPU memory (49, targets.md 1.7 internal-memory vector load) and one fractional multiply-accumulate with the splatted sample (vector ALU, 1)"),
      stream_vector_cycles: assume(47, "cycles", "every tick, per vector of 64 driven neurons: store of the summed input vector to PPU memory (targets.md 1.7 internal-memory vector store 47); the FPGA writes the samples, the PPU reads each with one scalar load (not counted)"),
      plasticity_state_width: assume(16, "bit", "plastic variables beyond the 6-bit weight kept as 16-bit vectors in PPU memory"),
    },
    readout: {
      cadc_bits: src(8, "bit", "targets.md 1.6"),
      cadc_reliable: src([30, 210], "LSB", "targets.md 1.6"),
      madc_bits: src(10, "bit", "targets.md 1.6"),
      rate_counter_bits: src(8, "bit", "targets.md 1.6"),
    },
    noise_and_mismatch: {
      cadc_spread_calibrated: src(3, "LSB (SD bound)", "targets.md 1.5: calibration test requires < 3 LSB"),
      trial_to_trial_amplitude: src(7, "CADC LSB (bound)", "targets.md 1.5"),
      fixed_pattern_tau: assume(0.05, "relative SD", "no published distribution (targets.md 1.5); 5 % after calibration assumed"),
      fixed_pattern_weight: assume(0.1, "relative SD", "no published distribution; 10 % assumed"),
      trial_to_trial_relative: assume(0.02, "relative SD", "no published distribution; 2 % assumed"),
    },
    // energy.md (../shared/reference): E = chip power x chip wall time; no per-event figure is published.
    energy: {
      chip_power: src(0.175, "W", "derived: 8.4 uJ per MNIST classification / 48 us per sample (Goeltz et al. 2021, Nat Mach Intell 3:823, via Renner et al. 2024, Nat Commun, Table 1)"),
      chip_power_prototype: src(0.057, "W", "published: whole-chip power of the prototype, Wunderlich et al. 2019, Front Neurosci 13:260"),
      chip_power_bound: src(0.2, "W", "published (abstract): < 200 mW in spiking inference, Cramer et al. 2022, PNAS 119:e2109194119"),
      energy_per_synaptic_event: assume(0, "J", "not published (energy.md); chip power already includes the synapse array's activity, so 0 here and per-event terms only as labelled sensitivity terms"),
      energy_per_ppu_cycle: assume(0, "J", "not published (energy.md; Atoui et al. 2024 give no energy figure); the PPUs are inside the chip power"),
      system_power: src(5.6, "W", "published (abstract): the mobile system, Stradmann et al. 2022, IEEE OJCAS 3:252; not used for chip energy (it includes FPGA and host)"),
    },
    host_link: {
      transport: src("FPGA with 8 high-speed links to the chip; host over Ethernet", "", "targets.md 1.2, 1.9"),
    },
  },
};
