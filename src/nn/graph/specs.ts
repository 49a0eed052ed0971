// Layers from their specs, for graphs: the layers only a graph holds (BatchNorm2d, Dropout, Add,
// Concat, ChannelAffine, Mul, ChannelSlice, Softmax, Pad2d, ChannelShuffle) and everything a
// Sequential knows; and a weights file's graph as a GraphSpec, a Sequential's file read as the
// chain it is.
import type { LayerSpec } from '../layer.js';
import { Add } from '../layers/add.js';
import { BatchNorm2d } from '../layers/batchnorm.js';
import { ChannelAffine } from '../layers/channel-affine.js';
import { ChannelShuffle } from '../layers/channel-shuffle.js';
import { ChannelSlice } from '../layers/channel-slice.js';
import { Concat } from '../layers/concat.js';
import { Dropout } from '../layers/dropout.js';
import { Mul } from '../layers/mul.js';
import { Pad2d } from '../layers/pad.js';
import { Softmax } from '../layers/softmax.js';
import { layerFromSpec } from '../sequential.js';
import type { WeightsFile } from '../weights.js';
import type { AnyLayer, GraphSpec } from './definition.js';

/** Builds one layer from its spec; `where` starts the Error for a spec no layer has. */
export function layerOfSpec(spec: LayerSpec, where: string): AnyLayer {
  switch (spec?.type) {
    case 'BatchNorm2d':
      return new BatchNorm2d(spec.numFeatures, { eps: spec.eps, momentum: spec.momentum });
    case 'Add':
      return new Add();
    case 'Dropout':
      return new Dropout(spec.p, { seed: spec.seed });
    case 'Concat':
      return new Concat(spec.inputs);
    case 'ChannelAffine':
      return new ChannelAffine(spec.channels, { rank: spec.rank });
    case 'Mul':
      return new Mul();
    case 'ChannelSlice':
      return new ChannelSlice(spec.start, spec.count);
    case 'Softmax':
      return new Softmax();
    case 'Pad2d':
      return new Pad2d(spec.padding, spec.value);
    case 'ChannelShuffle':
      return new ChannelShuffle(spec.groups);
    default:
      try {
        return layerFromSpec(spec);
      } catch {
        throw new Error(`${where}: unknown layer spec ${JSON.stringify(spec)}`);
      }
  }
}

/** The graph a weights file describes: its "graph", or for a Sequential's file the chain x → 0 → 1 → … → y. */
export function graphSpecOfFile(file: WeightsFile): GraphSpec {
  const { graph, layers } = file;
  if (graph) {
    return {
      inputs: graph.inputs,
      nodes: graph.nodes.map((n, i) => ({ name: n.name, inputs: n.inputs, layer: layers[i] })),
      outputs: graph.outputs,
    };
  }
  return {
    inputs: [{ name: 'x' }],
    nodes: layers.map((layer, i) => ({ name: String(i), inputs: [i === 0 ? 'x' : String(i - 1)], layer })),
    outputs: [{ name: 'y', tensor: String(layers.length - 1) }],
  };
}
