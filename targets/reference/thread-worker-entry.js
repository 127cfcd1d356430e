// Entry of a split run's worker thread (threads.ts): worker threads do not inherit the TypeScript
// loader that bin/engram.js registers, so it is registered here before the worker module loads.
import { register } from "tsx/esm/api";

register();
await import("./thread-worker.ts");
