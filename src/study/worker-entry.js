// The pool's worker entry: worker threads do not inherit the TypeScript loader that
// bin/engram.js registers, so each worker registers it before loading the worker module.
import { register } from "tsx/esm/api";

register();
const { default: work } = await import("./worker.ts");
export default work;
