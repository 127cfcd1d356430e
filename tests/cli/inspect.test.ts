/** engram compile then engram inspect, as a user runs them; bad IR files are user errors. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MAX_FILE_BYTES } from "../../src/ir/codec.ts";
import { decodeImage, encodeImage } from "../../src/ir/image.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-inspect-"));
const engram = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });

describe("engram compile / inspect", () => {
  it("compiles a protocol for BrainScaleS-2 and prints the report", () => {
    const out = join(tmp, "wtet.engram");
    const r = engram("compile", "models/stc/wtet.yaml", "--target", "bss2", "--rounding", "stochastic", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("quantisation for bss2");
    expect(r.stdout).toContain("placement:");
    const program = decodeImage(readFileSync(out), out);
    expect(program.header.target).toBe("bss2");
    const shown = engram("inspect", out);
    expect(shown.status).toBe(0);
    // what the compile step chose, read from the decoded file rather than from the printer
    expect(shown.stdout.split("\n")[0]).toBe(`engram IR v${program.header.ir_version}  target bss2  engram ${program.header.engram_version}`);
    expect(shown.stdout).toContain(`model stc-wtet  sha256 ${program.header.model_sha256}  seed 1`);
    expect(shown.stdout).toContain("acceleration 1000  clock 250000000 Hz  rounding draws 8 bits"); // targets/bss2/facts.ts
    for (const s of program.states) expect(shown.stdout).toContain(` ${s.name} (g${s.group}): `);
  });

  it("compile then inspect reproduces the reviewed golden of basic-early on bss2", () => {
    // tests/golden/basic-early.bss2.ir.txt (provenance in its first line) is the text of the same
    // compile with the engram version written as "golden" and the model hash omitted.
    const out = join(tmp, "basic-early.engram");
    const c = engram("compile", "models/stc/basic-early.yaml", "--target", "bss2", "--rounding", "nearest", "-o", out);
    expect(c.status, c.stderr).toBe(0);
    const shown = engram("inspect", out);
    expect(shown.status).toBe(0);
    const { header } = decodeImage(readFileSync(out), out);
    const [provenance, ...golden] = readFileSync("tests/golden/basic-early.bss2.ir.txt", "utf8").split("\n");
    expect(provenance).toMatch(/^# provenance: /);
    const normalised = shown.stdout
      .replace(`  engram ${header.engram_version}\n`, "  engram golden\n")
      .replace(`sha256 ${header.model_sha256}`, "sha256 (omitted)");
    expect(normalised).toBe(golden.join("\n"));
  });

  it("inspect prints a hand-built program as its reviewed golden", () => {
    const file = join(tmp, "sample.engram");
    writeFileSync(file, encodeImage(sampleProgram()));
    const r = engram("inspect", file);
    expect(r.status).toBe(0);
    // tests/golden/ir-sample.txt: reviewed text of the sample, provenance in its first line
    const [provenance, ...golden] = readFileSync("tests/golden/ir-sample.txt", "utf8").split("\n");
    expect(provenance).toMatch(/^# provenance: /);
    expect(r.stdout).toBe(golden.join("\n"));
  });

  it("garbage and invalid programs: exit 1, the file named, no stack trace", () => {
    const junk = join(tmp, "junk.engram");
    writeFileSync(junk, Buffer.from("this is not protobuf at all, just text\n".repeat(5)));
    const r = engram("inspect", junk);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`engram: error: ${junk} is not a valid engram IR file: `);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain("internal error");
    const p = sampleProgram();
    p.kernels[0]!.ops[2]!.src = [0, 99];
    const bad = join(tmp, "bad.engram");
    writeFileSync(bad, encodeImage(p));
    const v = engram("inspect", bad);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain("bad.engram at kernels[0].ops[2].src[1]");
    expect(v.stderr).toContain("99");
  });

  it("missing files, directories and files over the size limit: exit 1, one clear line", () => {
    const missing = engram("inspect", join(tmp, "nope.engram"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("not found");
    expect(missing.stderr).toContain("nope.engram");
    const dir = engram("inspect", tmp);
    expect(dir.status).toBe(1);
    expect(dir.stderr).toContain(`${tmp} is not a file`);
    // A sparse file: refused by its size, before anything is read.
    const huge = join(tmp, "huge.engram");
    writeFileSync(huge, "");
    truncateSync(huge, MAX_FILE_BYTES + 1);
    const big = engram("inspect", huge);
    expect(big.status).toBe(1);
    expect(big.stderr).toContain(`${huge} is ${MAX_FILE_BYTES + 1} bytes, more than the ${MAX_FILE_BYTES}-byte limit`);
    for (const r of [missing, dir, big]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a network that does not fit fails with every violation", () => {
    const r = engram("compile", "models/examples/bss2-full-chip.yaml", "--target", "bss2", "-o", join(tmp, "full.engram"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\d+ problems:/);
    expect(r.stderr).toContain("drc-memory");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
