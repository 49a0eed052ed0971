// nn.fromONNX: an ONNX model (bytes) as an nn.Graph. The nodes are read in file order (ONNX
// stores them topologically); each maps to a layer, an alias or a folded constant (ops.ts), and
// the layers are created, holding the model's weights, once every node has been accepted.
import type { AnyLayer, GraphInput, GraphNode, GraphOutput } from '../nn/graph/definition.js';
import { Graph } from '../nn/graph/graph.js';
import { Attributes, DataType, decodeModel, readTensor, valueInfoShape } from './decode.js';
import { modelError, nodeError, type NodeContext } from './errors.js';
import { HANDLERS } from './ops.js';
import { ImportState } from './state.js';

export interface FromONNXOptions {
  /** how errors name the model (default 'nn.fromONNX') */
  name?: string;
  /**
   * Fold each BatchNormalization into the Conv before it when nothing else reads that Conv's
   * output (default true: faster inference). Pass false to fine-tune: every BatchNormalization
   * then stays a BatchNorm2d, which trains (batch statistics) in train mode.
   */
  foldBatchNorm?: boolean;
}

const OP = 'nn.fromONNX';

/** The Graph an ONNX model describes, holding its weights; call after init(). */
export function fromONNX(bytes: Uint8Array, opts: FromONNXOptions = {}): Graph {
  const source = opts?.name ? `${OP}(${opts.name})` : OP;
  const { graph, opset } = decodeModel(bytes, source);
  const state = new ImportState(opts?.foldBatchNorm !== false);

  for (const t of graph.initializer ?? []) state.constants.set(t.name ?? '', readTensor(t, (m) => modelError(source, `initializer: ${m}`)));
  for (const node of graph.node ?? []) for (const name of node.input ?? []) if (name) state.uses.set(name, state.usesOf(name) + 1);
  for (const out of graph.output ?? []) state.uses.set(out.name ?? '', state.usesOf(out.name ?? '') + 1);

  const inputs: GraphInput[] = [];
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (state.constants.has(name)) continue; // an initializer listed as an input (IR < 4 style): a weight
    const { elemType, dims } = valueInfoShape(input);
    if (elemType !== DataType.FLOAT) throw modelError(source, `input '${name}' has element type ${DataType[elemType] ?? elemType}; only float32 inputs are supported`);
    if (!dims) throw modelError(source, `input '${name}' has no shape; its rank is needed`);
    state.dims.set(name, dims);
    const sample = dims.slice(1);
    inputs.push(sample.every((d) => typeof d === 'number') && sample.length > 0 ? { name, shape: sample as number[] } : { name });
  }

  for (const node of graph.node ?? []) {
    const ctx: NodeContext = { source, opset, node };
    if (node.domain && node.domain !== 'ai.onnx') throw nodeError(ctx, `the domain '${node.domain}' is not supported (only the default ONNX domain)`);
    const handler = Object.hasOwn(HANDLERS, node.opType ?? '') ? HANDLERS[node.opType!] : undefined;
    if (!handler) throw nodeError(ctx, `the operator ${node.opType} is not supported`);
    handler(state, ctx, new Attributes(ctx));
  }

  const outputs: GraphOutput[] = (graph.output ?? []).map((out) => {
    const name = out.name ?? '';
    const { elemType } = valueInfoShape(out);
    if (elemType !== 0 && elemType !== DataType.FLOAT) throw modelError(source, `output '${name}' has element type ${DataType[elemType] ?? elemType}; only float32 is supported`);
    if (state.constants.has(name)) throw modelError(source, `output '${name}' is a constant; only computed outputs are supported`);
    const tensor = state.resolve(name);
    if (!state.dims.has(tensor)) throw modelError(source, `output '${name}' is not produced by any node or input`);
    return { name, tensor };
  });

  const layers: AnyLayer[] = [];
  try {
    const nodes: GraphNode[] = state.planned.map((p) => {
      const layer = p.make();
      layers.push(layer);
      return { name: p.name, inputs: p.inputs, layer };
    });
    return new Graph({ inputs, nodes, outputs });
  } catch (error) {
    for (const l of layers) l.dispose();
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}
