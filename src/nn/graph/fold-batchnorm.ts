// nn.foldBatchNorm(graph): the inference form of a graph, with every BatchNorm2d that reads a
// Conv2d's output (and nothing else reads it) folded into that conv, as export tools and
// inference engines do (the arithmetic is foldIntoConv, layers/batchnorm.ts): one pass fewer
// over the activations. The result is a new Graph (its own layers and memory, in eval mode);
// the graph given is not changed.
import { Conv2d } from '../conv.js';
import { BatchNorm2d, foldIntoConv } from '../layers/batchnorm.js';
import type { LayerSpec } from '../layer.js';
import type { AnyLayer, GraphNode } from './definition.js';
import { Graph } from './graph.js';
import { layerOfSpec } from './specs.js';

const OP = 'nn.foldBatchNorm';

/** A copy of `layer` (same spec, parameters and buffers) on the current backend. */
function copyOf(layer: AnyLayer, name: string): AnyLayer {
  const copy = layerOfSpec(layer.spec(), `${OP}: node '${name}'`);
  const from = [...layer.parameters(), ...layer.buffers()];
  [...copy.parameters(), ...copy.buffers()].forEach((p, i) => p.write(from[i].read()));
  return copy;
}

/** conv followed by bn (eval mode) as one conv with a bias. */
function folded(conv: Conv2d, bn: BatchNorm2d): Conv2d {
  const spec = conv.spec() as Extract<LayerSpec, { type: 'Conv2d' }>;
  const { inChannels, outChannels, kernelSize, type: _, ...opts } = spec;
  const out = new Conv2d(inChannels, outChannels, kernelSize, { ...opts, bias: true });
  const w = conv.weight.read();
  const bias = foldIntoConv(w, conv.bias?.read() ?? null, bn.weight.read(), bn.bias.read(), bn.runningMean.read(), bn.runningVar.read(), bn.eps);
  out.weight.write(w);
  out.bias!.write(bias);
  return out;
}

export function foldBatchNorm(graph: Graph): Graph {
  if (!(graph instanceof Graph)) throw new Error(`${OP}: expects an nn.Graph, got ${String(graph)}`);
  const readers = new Map<string, number>();
  for (const node of graph.nodes) for (const t of node.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  for (const o of graph.outputs) readers.set(o.tensor, (readers.get(o.tensor) ?? 0) + 1);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  /** BatchNorm node name → the conv node it folds into */
  const foldInto = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    const producer = byName.get(node.inputs[0]);
    if (node.layer instanceof BatchNorm2d && producer?.layer instanceof Conv2d && readers.get(producer.name) === 1 &&
      producer.layer.outChannels === node.layer.numFeatures) {
      foldInto.set(node.name, producer);
    }
  }
  const folds = new Map([...foldInto].map(([bn, conv]) => [conv.name, byName.get(bn)!]));
  // a folded BatchNorm's readers read its conv instead
  const rename = (t: string) => foldInto.get(t)?.name ?? t;
  const nodes: GraphNode[] = [];
  try {
    for (const node of graph.nodes) {
      if (foldInto.has(node.name)) continue;
      const bn = folds.get(node.name);
      const layer = bn ? folded(node.layer as Conv2d, bn.layer as BatchNorm2d) : copyOf(node.layer, node.name);
      nodes.push({ name: node.name, layer, inputs: node.inputs.map(rename) });
    }
    return new Graph({
      inputs: graph.inputs.map((i) => ({ name: i.name, ...(i.shape ? { shape: [...i.shape] } : {}) })),
      nodes,
      outputs: graph.outputs.map((o) => ({ name: o.name, tensor: rename(o.tensor) })),
    }).eval();
  } catch (error) {
    for (const n of nodes) n.layer.dispose();
    throw error;
  }
}
