/**
 * Issue 17: one step of the L = 3 chemical synapse (models/chemical/chemical-synapse-3.yaml)
 * against values derived by hand from its equations (seed-models.md C.2):
 *   F0 = -e_post y_pre, F2 = -e_post e_pre, F9 = y_post y_pre - y_post r_pre,
 *   u_i = sum_j K_ij h_j + P_i0 F0 + P_i2 F2 + P_i9 F9,  dh_i/dt = (-c_i h_i + tanh(u_i)) / (tau_i dt),
 * integrated in declaration order (h_1 sees the new h_0, h_2 the new h_0 and h_1), exactly
 * (exponential Euler) where u_i does not depend on h_i, by forward Euler where it does (K_11 != 0).
 */
import { describe, expect, it } from "vitest";
import { runModel } from "../helpers/run.ts";

describe("chemical synapse, L = 3: one step by hand", () => {
  it("h_0 integrates, h_1 (K_11 != 0) steps by forward Euler, h_2 relaxes exactly", () => {
    const r = runModel("tests/fixtures/chemical/one-step-3.yaml");
    const yPre = 0.6, ePre = -0.2, rPre = 0.3, yPost = -0.4, ePost = 0.5;
    const F0 = -ePost * yPre, F2 = -ePost * ePre, F9 = yPost * yPre - yPost * rPre;
    const tau = [1, Math.sqrt(50), 50];
    const h = [0.3, 0.3, 0.3];
    // chemical 0: c_0 = 0, tau = 1 step: h_0 += tanh(u_0)
    h[0] = h[0]! + Math.tanh(0.5 * h[1]! + 0.1 * F0 + 0.05 * F2);
    // chemical 1: u_1 depends on h_1 (K_11 = 0.2): forward Euler, h_1 += (-h_1 + tanh(u_1)) / tau_1
    const u1 = -0.4 * h[0]! + 0.2 * h[1]! + 0.2 * F0 + 0.3 * F9;
    h[1] = h[1]! + (-h[1]! + Math.tanh(u1)) / tau[1]!;
    // chemical 2: u_2 free of h_2: exact relaxation towards tanh(u_2) with factor exp(-1 / tau_2)
    const u2 = 0.7 * h[1]! + 0.01 * F0 - 0.1 * F2 + 0.4 * F9; // P_2_0 keeps its default 0.01
    const d = Math.exp(-1 / tau[2]!);
    h[2] = h[2]! * d + Math.tanh(u2) * (1 - d);
    expect(r.final("h0")).toBeCloseTo(h[0]!, 12);
    expect(r.final("h1")).toBeCloseTo(h[1]!, 12);
    expect(r.final("h2")).toBeCloseTo(h[2]!, 12);
  });
});
