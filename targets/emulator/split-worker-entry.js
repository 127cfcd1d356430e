// Entry of a split emulator run's worker thread (split.ts): worker threads do not inherit the
// TypeScript loader that bin/engram.js registers, so it is registered here before the worker loads.
import { register } from "tsx/esm/api";

register();
await import("./split-worker.ts");
