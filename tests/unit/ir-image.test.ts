/**
 * Image files (src/ir/image.ts): the digest trailer, every single-bit flip of a small image refused,
 * truncations, trailing and concatenated data, version-1 images, and default output folders that
 * names from an image or model cannot escape.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { createHash } from "node:crypto";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { encode } from "../../src/ir/codec.ts";
import { checkImageDigest, decodeImage, encodeImage, imageDigest, TRAILER_BYTES } from "../../src/ir/image.ts";
import { defaultImageOut } from "../../src/cli/run.ts";
import { safeName } from "../../src/util/safe-name.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof EngramError)) throw e;
    return e.message;
  }
  throw new Error("accepted");
};

describe("IR image digest", () => {
  const p = sampleProgram();
  const image = encodeImage(p);

  it("is the encoded program, then tag 0x7a, length 32 and the SHA-256 of what precedes it", () => {
    const payload = encode(p);
    expect(image.length).toBe(payload.length + TRAILER_BYTES);
    expect(Buffer.from(image.subarray(0, payload.length)).equals(Buffer.from(payload))).toBe(true);
    expect([image[payload.length], image[payload.length + 1]]).toEqual([0x7a, 32]);
    const sha = createHash("sha256").update(payload).digest("hex");
    expect(Buffer.from(image.subarray(payload.length + 2)).toString("hex")).toBe(sha);
    expect(Buffer.from(imageDigest(payload)).toString("hex")).toBe(sha);
    expect(decodeImage(image, "sample.engram")).toEqual(p);
  });

  it("every single-bit flip is refused, naming the file and a byte offset", () => {
    let refused = 0;
    for (let bit = 0; bit < image.length * 8; bit++) {
      const bad = Uint8Array.from(image);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const m = messageOf(() => decodeImage(bad, "flip.engram"));
      expect(m).toMatch(/^flip\.engram is not a valid engram IR file: .*at byte \d+ of \d+/s);
      refused++;
    }
    expect(refused).toBe(image.length * 8);
  });

  it("every truncation is refused", () => {
    for (let n = 0; n < image.length; n++) expect(messageOf(() => checkImageDigest(image.subarray(0, n), "cut.engram"))).toContain("cut.engram is not a valid engram IR file");
  });

  it("an image concatenated with itself, or followed by any bytes, is refused as trailing data", () => {
    const twice = new Uint8Array([...image, ...image]);
    expect(messageOf(() => decodeImage(twice, "twice.engram"))).toContain(`a complete image ends at byte ${image.length}, followed by ${image.length} more bytes (trailing or concatenated data)`);
    for (const tail of [[0], [0x7a], [1, 2, 3], [...image.subarray(image.length - TRAILER_BYTES)]]) {
      const more = new Uint8Array([...image, ...tail]);
      expect(messageOf(() => decodeImage(more, "more.engram"))).toMatch(/more\.engram is not a valid engram IR file: .*(trailing or concatenated data|digest trailer)/);
    }
  });

  it("a version-1 image (no digest) is refused with a request to recompile", () => {
    const v1 = structuredClone(p);
    v1.header.ir_version = 1;
    const m = messageOf(() => decodeImage(encode(v1), "old.engram"));
    expect(m).toContain("old.engram is not a valid engram IR file: it is an IR version 1 image (header.ir_version = 1), written before images carried a digest");
    expect(m).toContain("compile the model again");
  });
});

describe("default output folders from names in images and models", () => {
  const inside = (path: string) => {
    const rel = relative(resolve("out"), resolve(path));
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) && !rel.includes("/");
  };
  const names = ["../../../../tmp/x", "..", ".", "", "/etc", "a/../../b", "..\\..\\x", "ok-name", ".hidden", "a\0b", "~/x"];

  it("safeName gives one harmless path component", () => {
    for (const n of names) {
      const s = safeName(n);
      expect(s).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/);
      expect(inside(join("out", s))).toBe(true);
    }
    expect(safeName("stc-basic-early.cmos")).toBe("stc-basic-early.cmos");
  });

  it("defaultImageOut stays a folder directly inside ./out", () => {
    for (const n of names) {
      for (const target of ["cmos", "../x", ".."]) {
        const ir = sampleProgram();
        ir.header.model_name = n;
        ir.header.target = target;
        expect(inside(defaultImageOut(ir)), `${n} / ${target}: ${defaultImageOut(ir)}`).toBe(true);
      }
    }
  });

  it("a model named ../../../../tmp/x writes into ./out, nowhere else", () => {
    const cwd = mkdtempSync(join(tmpdir(), "engram-names-"));
    const deep = join(cwd, "a", "b", "c", "d");
    mkdirSync(deep, { recursive: true });
    const model = join(deep, "evil.yaml");
    writeFileSync(model, `engram: 1\nkind: network\nextends: ${resolve("models/stc/basic-early.yaml")}\nname: ../../../../tmp/x\n`);
    const r = spawnSync(process.execPath, [resolve("bin/engram.js"), "run", model, "--target", "cmos"], { cwd: deep, encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(deep, "out"))).toEqual([".._.._.._.._tmp_x.cmos".replace(/^\.\./, "__")]);
    expect(existsSync(join(cwd, "tmp"))).toBe(false);
    expect(existsSync(join(deep, "..", "..", "..", "..", "tmp", "x.cmos"))).toBe(false);
  });
});
