// Graphs the layer tests build: one layer applied to the input 'x'; BatchNorms given statistics.
import { nn } from '../../src/index.js';
import { randomData, seededRandom } from './random.js';

/** A Graph of one node, `name`, applying `layer` to its input 'x'. */
export function singleLayerGraph(layer: nn.Layer, name = 'layer'): nn.Graph {
  const g = new nn.GraphBuilder();
  return g.build({ outputs: g.apply(layer, g.input('x'), name) });
}

/** Random running statistics and affine parameters, so that folding has something to fold. */
export function randomizeBatchNorms(graph: nn.Graph, seed: number): void {
  const random = seededRandom(seed);
  for (const { layer } of graph.nodes) {
    if (!(layer instanceof nn.BatchNorm2d)) continue;
    const c = layer.numFeatures;
    layer.weight.write(randomData(c, random).map((v) => 1 + 0.5 * v));
    layer.bias.write(randomData(c, random).map((v) => 0.3 * v));
    layer.runningMean.write(randomData(c, random).map((v) => 0.2 * v));
    layer.runningVar.write(randomData(c, random).map((v) => 1 + 0.8 * v));
  }
}
