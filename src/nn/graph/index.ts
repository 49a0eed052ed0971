// nn.Graph: DAG models over resident tensors, and the builder that writes them.
export { Graph, type GraphOptions, type GraphProfile } from './graph.js';
export { GraphBuilder, GraphTensor } from './builder.js';
export type { AnyLayer, GraphDefinition, GraphInput, GraphNode, GraphOutput, GraphSpec } from './definition.js';
export { layerOfSpec, graphSpecOfFile } from './specs.js';
export { foldBatchNorm } from './fold-batchnorm.js';
