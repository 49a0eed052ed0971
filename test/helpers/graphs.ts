// Graphs the layer tests build: one layer applied to the input 'x'.
import { nn } from '../../src/index.js';

/** A Graph of one node, `name`, applying `layer` to its input 'x'. */
export function singleLayerGraph(layer: nn.Layer, name = 'layer'): nn.Graph {
  const g = new nn.GraphBuilder();
  return g.build({ outputs: g.apply(layer, g.input('x'), name) });
}
