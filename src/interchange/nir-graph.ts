/**
 * NIR graphs in memory: what nir-read.ts decodes from HDF5 and nir-write.ts encodes. Parameters
 * keep their stored element type (float32 values stay exactly the float32 that was stored) and
 * their shape (0-d scalars have shape []).
 */
export interface NirArray {
  data: Float64Array;
  shape: number[];
  /** Stored element type: "f32", "f64" or "i64" (NIR files mix them). */
  dtype: "f32" | "f64" | "i64";
}

export interface NirNode {
  type: string;
  /** Numeric parameters by name (weight, tau, shape, ...). */
  params: Map<string, NirArray>;
  /** String parameters (e.g. Conv padding "same"). */
  strings: Map<string, string>;
  /** Nested graph (type "NIRGraph"). */
  graph?: NirGraph;
  /** Where the node is in the file, e.g. "node/nodes/lif1/nodes/lin". */
  path: string;
}

export interface NirGraph {
  nodes: Map<string, NirNode>;
  /** [from, to] pairs in stored order (any order; cycles allowed). */
  edges: [string, string][];
  /** Path of the graph's group in the file ("node" at the top). */
  path: string;
  /** metadata/<key> string datasets (engram carries its plasticity here). */
  metadata: Map<string, string>;
}

export interface NirFile {
  version: string;
  graph: NirGraph;
}

export const elementCount = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export const arrayOf = (values: ArrayLike<number>, shape: number[] = [values.length], dtype: NirArray["dtype"] = "f64"): NirArray => ({ data: Float64Array.from(values), shape, dtype });
