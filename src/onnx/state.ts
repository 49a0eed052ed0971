// What the importer knows while it walks the nodes: constants (initializers, Constant nodes,
// folded shape arithmetic), runtime tensors and their inferred dims, names that alias another
// tensor (Identity, a BatchNorm folded into its Conv), and the planned graph nodes. Layers are
// only created once every node has been read, so an unsupported node allocates nothing.
import type { AnyLayer } from '../nn/graph/definition.js';
import type { Constant, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims } from './shapes.js';

/** Weights of a planned Conv2d, mutable until the layer is made: a following BatchNorm folds into them. */
export interface ConvWeights {
  weight: Float32Array;
  bias: Float32Array | null;
  outChannels: number;
}

/** Weights of a planned Linear: a MatMul's bias comes from the Add after it. */
export interface LinearWeights {
  weight: Float32Array;
  bias: Float32Array | null;
  outFeatures: number;
}

/** Constants of a planned ChannelAffine: an Add of a constant right after a Mul becomes its shift. */
export interface AffineWeights {
  scale: Float32Array;
  shift: Float32Array;
}

export interface PlannedNode {
  name: string;
  inputs: string[];
  make: () => AnyLayer;
  conv?: ConvWeights;
  linear?: LinearWeights;
  affine?: AffineWeights;
}

export interface RuntimeTensor {
  /** the graph tensor it is (after aliases) */
  tensor: string;
  dims: Dim[];
}

export class ImportState {
  readonly constants = new Map<string, Constant>();
  readonly dims = new Map<string, Dim[]>();
  readonly aliases = new Map<string, string>();
  readonly planned: PlannedNode[] = [];
  readonly byTensor = new Map<string, PlannedNode>();
  /** 5-D [N, g, C/g, H, W] views of a 4-D tensor (a channel shuffle's Reshapes; shuffle.ts), by name */
  readonly groupedViews = new Map<string, { tensor: string; dims: Dim[]; groups: number; shuffled: boolean }>();
  /** how many node inputs and graph outputs read each ONNX tensor name */
  readonly uses = new Map<string, number>();

  constructor(readonly foldBatchNorm: boolean) {}

  resolve(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  usesOf(name: string): number {
    return this.uses.get(name) ?? 0;
  }

  /** The runtime tensor an input names; an Error if it is a constant or unknown. */
  runtime(ctx: NodeContext, index: number, rank?: number): RuntimeTensor {
    const name = ctx.node.input?.[index] ?? '';
    if (this.groupedViews.has(name)) {
      throw nodeError(ctx, `input ${index} ('${name}') is a [N, g, C/g, H, W] view of the channels, which only a channel shuffle (Transpose perm [0,2,1,3,4], then Reshape back) may read`);
    }
    if (this.constants.has(name)) throw nodeError(ctx, `input ${index} ('${name}') is a constant here; only data computed from the graph inputs is supported in this position`);
    const tensor = this.resolve(name);
    const dims = this.dims.get(tensor);
    if (!name || !dims) throw nodeError(ctx, `input ${index} ('${name}') is not produced by any earlier node, initializer or graph input`);
    if (rank !== undefined && dims.length !== rank) {
      throw nodeError(ctx, `input ${index} ('${name}') must have rank ${rank}, got ${formatDims(dims)}`);
    }
    return { tensor, dims };
  }

  /** The constant an input names, or null for an absent optional input; an Error if it is computed at run time. */
  constant(ctx: NodeContext, index: number): Constant | null {
    const name = ctx.node.input?.[index] ?? '';
    if (!name) return null;
    const c = this.constants.get(name);
    if (!c) throw nodeError(ctx, `input ${index} ('${name}') must be a constant (an initializer or a Constant node), not computed at run time`);
    return c;
  }

  /** A float32 constant input with the expected dims. */
  floats(ctx: NodeContext, index: number, what: string, dims?: number[]): { dims: number[]; data: Float32Array } {
    const c = this.constant(ctx, index);
    if (!c) throw nodeError(ctx, `${what} (input ${index}) is missing`);
    if (c.kind !== 'float') throw nodeError(ctx, `${what} (input ${index}) must be a float32 tensor`);
    if (dims && (c.dims.length !== dims.length || c.dims.some((d, i) => d !== dims[i]))) {
      throw nodeError(ctx, `${what} (input ${index}) must have dims ${formatDims(dims)}, got ${formatDims(c.dims)}`);
    }
    return c;
  }

  /** Records a planned node producing the node's first output. */
  plan(ctx: NodeContext, inputs: string[], dims: Dim[], make: () => AnyLayer, weights: Pick<PlannedNode, 'conv' | 'linear' | 'affine'> = {}): PlannedNode {
    const name = this.output(ctx);
    const node: PlannedNode = { name, inputs, make, ...weights };
    this.planned.push(node);
    this.byTensor.set(name, node);
    this.dims.set(name, dims);
    return node;
  }

  /** The node's first output is another name for `tensor`. */
  alias(ctx: NodeContext, tensor: string): void {
    const name = this.output(ctx);
    this.aliases.set(name, tensor);
  }

  /** The node's first output; further outputs are an Error when anything reads them. */
  output(ctx: NodeContext): string {
    const outputs = ctx.node.output ?? [];
    const extra = outputs.slice(1).find((o) => o && this.usesOf(o) > 0);
    if (extra) throw nodeError(ctx, `output '${extra}' is read by the model, but only the op's first output is supported`);
    if (!outputs[0]) throw nodeError(ctx, 'the node has no output');
    return outputs[0];
  }
}
