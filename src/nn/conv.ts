// Conv2d and Conv1d layers: the library's conv passes (src/ops/passes) run directly on resident
// tensors. Weights [O, C/groups, KH, KW] (or [O, C/groups, K]) and bias [O], PyTorch's layout.
import type { OutputClamp } from '../ops/activation.js';
import { convGeometry, type ConvGeometry } from '../ops/geometry.js';
import { parseConv1dOptions, parseConv2dOptions, type Conv1dOptions, type Conv2dOptions, type ConvParams } from '../ops/options.js';
import { threadsOf } from '../ops/execute.js';
import { convPasses, type ConvPasses } from '../ops/passes/index.js';
import { sizeOf } from '../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from './layer.js';
import { kaimingNormal, Random } from './random.js';
import { Buffer, Parameter, type Activation } from './resident.js';
import { WeightsBlocks } from './weights-blocks.js';

export interface ConvLayerOptions {
  /** include a bias (default true) */
  bias?: boolean;
  /** seed of the layer's initial weights (default 0); a Sequential given a seed re-draws them */
  seed?: number;
}

interface Plan {
  geometry: ConvGeometry;
  passes: ConvPasses;
}

abstract class ConvLayer extends Layer {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly params: ConvParams;
  private readonly plans = new Map<string, Plan>();
  /** the transformed or packed filters, remade when the weights change */
  private readonly weightsBlocks: WeightsBlocks;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;
  private outShape: readonly number[] = [];

  protected constructor(
    op: string,
    private readonly rank: number,
    private readonly layout: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSizes: number[],
    params: ConvParams,
    opts: ConvLayerOptions,
  ) {
    super(op);
    positiveInteger(op, 'inChannels', inChannels);
    positiveInteger(op, 'outChannels', outChannels);
    kernelSizes.forEach((k, i) => positiveInteger(op, `kernelSize[${i}]`, k));
    const { groups } = params;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`${op}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups=${groups}`);
    }
    this.params = params;
    this.weight = new Parameter(this.backend, 'weight', [outChannels, inChannels / groups, ...kernelSizes]);
    this.bias = opts.bias === false ? null : new Parameter(this.backend, 'bias', [outChannels]);
    this.weightsBlocks = new WeightsBlocks(this.backend, op, this.weight);
    this.y = new Buffer(this.backend, op);
    this.dx = new Buffer(this.backend, op);
    this.resetParameters(new Random(opts.seed ?? 0));
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  override resetParameters(random: Random): void {
    const fanIn = sizeOf(this.weight.shape.slice(1));
    this.weight.write(kaimingNormal(this.weight.size, fanIn, random));
    this.bias?.write(new Float32Array(this.outChannels));
  }

  forward(x: Activation): Activation {
    return this.forwardClamped(x, null);
  }

  /**
   * @internal forward with an activation fused into the output, min(max(y, lo), hi) after the
   * bias: what nn.Graph runs for a conv whose only reader is a ReLU / ReLU6 / Clip (graph/fusion.ts).
   */
  forwardClamped(x: Activation, clamp: OutputClamp | null): Activation {
    const { geometry, passes } = this.plan(x.shape, clamp);
    const { kernels, arena } = this.backend;
    const y = this.y.reserve(sizeOf(geometry.outShape));
    const p = { x: x.ptr, w: this.weight.ptr, bias: this.bias ? this.bias.ptr : 0, y };
    const prepared = this.weightsBlocks.for(passes.forward, p); // may allocate: before the layout
    const at = arena.layout(this.op, { scratch: passes.forward.scratchFloats });
    passes.forward.run(kernels, p, at.scratch, undefined, prepared);
    this.input = x;
    this.outShape = geometry.outShape;
    return { ptr: y, shape: geometry.outShape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const x = this.lastInput(this.input);
    this.checkGradientShape(dy, this.outShape);
    const { geometry, passes } = this.plan(x.shape);
    const { kernels, arena } = this.backend;
    const dx = inputGradient ? this.dx.reserve(sizeOf(x.shape)) : 0;
    const dxPointers = { dy: dy.ptr, w: this.weight.ptr, dx };
    const prepared = inputGradient ? this.weightsBlocks.for(passes.inputGradient, dxPointers) : undefined; // before the layout
    const scratchFloats = Math.max(passes.filterGradient.scratchFloats, inputGradient ? passes.inputGradient.scratchFloats : 0);
    const at = arena.layout(this.op, { db: this.bias ? 0 : geometry.outChannels, scratch: scratchFloats });
    const db = this.bias ? this.bias.gradPtr : at.db;
    passes.filterGradient.run(kernels, { dy: dy.ptr, x: x.ptr, dw: this.weight.gradPtr, db }, at.scratch);
    if (!inputGradient) return null;
    passes.inputGradient.run(kernels, dxPointers, at.scratch, undefined, prepared);
    return { ptr: dx, shape: x.shape };
  }

  dispose(): void {
    this.weightsBlocks.dispose();
    this.weight.dispose();
    this.bias?.dispose();
    this.y.dispose();
    this.dx.dispose();
    this.input = null;
  }

  private plan(xShape: readonly number[], clamp: OutputClamp | null = null): Plan {
    // a pool that stopped serving (a worker died) sends the layer back to one thread
    const threads = threadsOf(this.op, this.backend);
    const key = `${xShape.join(',')}${threads?.pool.serving ? ' threads' : ''}${clamp ? ` clamp ${clamp[0]} ${clamp[1]}` : ''}`;
    let plan = this.plans.get(key);
    if (!plan) {
      if (xShape.length !== this.rank) {
        throw new Error(`${this.op}: x must have rank ${this.rank} (${this.layout}), got shape [${xShape.join(',')}] for ${this.toString()}`);
      }
      const geometry = convGeometry(this.op, xShape, this.weight.shape, { ...this.params, clamp });
      plan = { geometry, passes: convPasses(geometry, threads) };
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/** Options of a Conv2d layer: the functional conv2d's options, plus bias and seed. */
export type Conv2dLayerOptions = Omit<Conv2dOptions, 'activation'> & ConvLayerOptions;
/** Options of a Conv1d layer: the functional conv1d's options, plus bias and seed. */
export type Conv1dLayerOptions = Omit<Conv1dOptions, 'activation'> & ConvLayerOptions;

/**
 * A layer's conv options: `activation` is refused, as the activation is a layer of its own
 * (a Graph fuses a ReLU / ReLU6 / Clip that follows a conv into its output, docs/graph.md).
 */
export function layerParams(op: string, params: ConvParams): ConvParams {
  if (params.clamp) {
    throw new Error(`${op}: activation is not a layer option: add a ReLU, ReLU6 or Clip layer after the conv (an nn.Graph fuses it into the conv's output)`);
  }
  return params;
}

function splitOptions<O extends object>(opts: O & ConvLayerOptions): [O, ConvLayerOptions] {
  const { bias, seed, ...conv } = opts;
  return [conv as O, { bias, seed }];
}

/** 2-D convolution over x [N, C, H, W]: y [N, O, OH, OW]. */
export class Conv2d extends ConvLayer {
  // the algorithm is how the layer computes, not its architecture: it stays out of spec()
  private readonly options: Required<Omit<Conv2dOptions, 'algorithm' | 'activation'>> & { bias: boolean };
  readonly kernelSize: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: Conv2dLayerOptions = {}) {
    const op = 'nn.Conv2d';
    const [conv, layer] = splitOptions<Conv2dOptions>(opts ?? {});
    const kernel: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    if (!Array.isArray(kernel) || kernel.length !== 2) {
      throw new Error(`${op}: kernelSize must be a number or [kh, kw], got ${String(kernelSize)}`);
    }
    super(op, 4, '[N,C,H,W]', inChannels, outChannels, kernel, layerParams(op, parseConv2dOptions(op, conv)), layer);
    this.kernelSize = kernel;
    this.options = {
      stride: conv.stride ?? 1, padding: conv.padding ?? 0, dilation: conv.dilation ?? 1, groups: conv.groups ?? 1,
      bias: layer.bias !== false,
    };
  }

  spec(): LayerSpec {
    return { type: 'Conv2d', inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, ...this.options };
  }
}

/** 1-D convolution over x [N, C, L]: y [N, O, OL]. */
export class Conv1d extends ConvLayer {
  private readonly options: Required<Omit<Conv1dOptions, 'algorithm' | 'activation'>> & { bias: boolean };
  readonly kernelSize: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: Conv1dLayerOptions = {}) {
    const op = 'nn.Conv1d';
    const [conv, layer] = splitOptions<Conv1dOptions>(opts ?? {});
    super(op, 3, '[N,C,L]', inChannels, outChannels, [kernelSize], layerParams(op, parseConv1dOptions(op, conv)), layer);
    this.kernelSize = kernelSize;
    this.options = {
      stride: conv.stride ?? 1, padding: conv.padding ?? 0, dilation: conv.dilation ?? 1, groups: conv.groups ?? 1,
      bias: layer.bias !== false,
    };
  }

  spec(): LayerSpec {
    return { type: 'Conv1d', inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, ...this.options };
  }
}
