// What a Graph is made of: named inputs, nodes that apply one layer each to named tensors, and
// named outputs. A tensor is named after what produces it: a graph input or a node (each node
// has one output). The JSON form (GraphSpec) is what a weights file records.
import type { Layer, LayerSpec } from '../layer.js';
import type { MergeLayer } from '../merge-layer.js';

/** A layer with one input (Conv2d, BatchNorm2d, …) or several (Add). */
export type AnyLayer = Layer | MergeLayer;

export interface GraphInput {
  name: string;
  /** the shape of one sample (without the batch), when fixed: feeds are checked against it */
  shape?: readonly number[];
}

export interface GraphNode {
  /** unique among nodes and inputs; also the name of the node's output tensor */
  name: string;
  layer: AnyLayer;
  /** the tensors the layer reads, in argument order */
  inputs: readonly string[];
}

export interface GraphOutput {
  name: string;
  /** the tensor it returns */
  tensor: string;
}

export interface GraphDefinition {
  inputs: readonly GraphInput[];
  nodes: readonly GraphNode[];
  outputs: readonly GraphOutput[];
}

/** A GraphDefinition as JSON: layers by their specs. */
export interface GraphSpec {
  inputs: Array<{ name: string; shape?: number[] }>;
  nodes: Array<{ name: string; inputs: string[]; layer: LayerSpec }>;
  outputs: GraphOutput[];
}
