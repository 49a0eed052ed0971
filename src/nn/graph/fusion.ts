// Conv → activation fusion: a Conv2d or Conv1d node (grouped and depthwise included) whose only
// reader is a ReLU, ReLU6 or Clip node, and which is not a graph output, computes the
// activation in its output epilogue (the conv passes' clamp, src/ops/passes/epilogue.ts): one
// pass over the activations fewer, forward. The activation node then runs nothing forward; its
// backward masks dy by the fused output, as it would by its own output (ReLU: y > 0) or input
// (Clip: min < y < max holds exactly where min < x < max), so outputs and gradients are the
// unfused graph's bit for bit, in train and eval mode alike. Names, parameters, specs and
// weights files do not change: the fusion is how the graph runs, not what it is.
import type { OutputClamp } from '../../ops/activation.js';
import { ReLU } from '../activation.js';
import { Conv1d, Conv2d } from '../conv.js';
import { Clip } from '../layers/activations.js';
import type { GraphNode, GraphOutput } from './definition.js';

/** One fused pair, by node index in run order. */
export interface Fusion {
  conv: number;
  activation: number;
  clamp: OutputClamp;
}

/** The clamp a ReLU / ReLU6 / Clip layer stands for (null for any other layer). */
export function clampOf(layer: unknown): OutputClamp | null {
  if (layer instanceof ReLU) return [0, Infinity];
  if (layer instanceof Clip) return [layer.min, layer.max]; // ReLU6 too: Clip(0, 6)
  return null;
}

/** The fusable conv → activation pairs of nodes in run order. */
export function planFusions(nodes: readonly GraphNode[], outputs: readonly GraphOutput[]): Fusion[] {
  const readers = new Map<string, number[]>();
  nodes.forEach((node, i) => node.inputs.forEach((t) => readers.set(t, [...(readers.get(t) ?? []), i])));
  // (every node has a layer object of its own: the Graph refuses one used twice)
  const graphOutputs = new Set(outputs.map((o) => o.tensor));
  const fusions: Fusion[] = [];
  nodes.forEach((node, i) => {
    if (!(node.layer instanceof Conv2d || node.layer instanceof Conv1d) || graphOutputs.has(node.name)) return;
    const reading = readers.get(node.name) ?? [];
    if (reading.length !== 1) return;
    const reader = nodes[reading[0]];
    const clamp = clampOf(reader.layer);
    if (clamp && reader.inputs.length === 1) {
      fusions.push({ conv: i, activation: reading[0], clamp });
    }
  });
  return fusions;
}
