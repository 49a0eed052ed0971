// ConvTranspose2d over x [N, C, H, W]: the adjoint of Conv2d, PyTorch's definition. Its forward
// pass is a conv's input-gradient pass with x in the role of dy; its input gradient is a conv's
// forward pass of dy; its weight gradient is the conv's filter-gradient pass with x and dy in
// swapped roles. So the layer runs the library's conv passes (src/ops/passes) on the conv whose
// input is this layer's output:
//   conv: [N, outChannels, OH, OW] → [N, inChannels, H, W], weights [inChannels, outChannels/groups, KH, KW]
//   OH = (H − 1)·strideH − padTop − padBottom + dilationH·(KH − 1) + outputPaddingH + 1   (likewise OW)
// Weights [inChannels, outChannels/groups, KH, KW] and bias [outChannels], PyTorch's layout.
import { convGeometry, type ConvGeometry } from '../../ops/geometry.js';
import { parseConv2dOptions, type Conv2dOptions, type ConvParams } from '../../ops/options.js';
import { threadsOf } from '../../ops/execute.js';
import { convPasses, type ConvPasses } from '../../ops/passes/index.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { layerParams } from '../conv.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { pair } from '../pool.js';
import { kaimingNormal, Random } from '../random.js';
import { Buffer, Parameter, type Activation } from '../resident.js';
import { WeightsBlocks } from '../weights-blocks.js';

export interface ConvTranspose2dOptions {
  stride?: number | [number, number];
  /** what the adjoint conv pads: number, [ph, pw] or [top, bottom, left, right] */
  padding?: number | [number, number] | [number, number, number, number];
  /** extra rows/columns at the bottom/right of the output; each below its stride */
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  algorithm?: Conv2dOptions['algorithm'];
  /** include a bias (default true) */
  bias?: boolean;
  /** seed of the layer's initial weights (default 0) */
  seed?: number;
}

interface Plan {
  geometry: ConvGeometry;
  passes: ConvPasses;
  outShape: number[];
}

export class ConvTranspose2d extends Layer {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];
  private readonly params: ConvParams;
  private readonly options: Required<Omit<ConvTranspose2dOptions, 'algorithm' | 'seed'>>;
  private readonly outputPadding: [number, number];
  private readonly plans = new Map<string, Plan>();
  /** the transformed or packed filters of its passes, remade when the weights change */
  private readonly weightsBlocks: WeightsBlocks;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;
  private outShape: readonly number[] = [];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], opts: ConvTranspose2dOptions = {}) {
    super('nn.ConvTranspose2d');
    const op = this.op;
    positiveInteger(op, 'inChannels', inChannels);
    positiveInteger(op, 'outChannels', outChannels);
    const kernel: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    if (!Array.isArray(kernel) || kernel.length !== 2) throw new Error(`${op}: kernelSize must be a number or [kh, kw], got ${String(kernelSize)}`);
    kernel.forEach((k, i) => positiveInteger(op, `kernelSize[${i}]`, k));
    const { bias, seed, outputPadding, ...conv } = opts ?? {};
    if (typeof conv.padding === 'string') throw new Error(`${op}: padding must be a number, [ph, pw] or [top, bottom, left, right], got '${conv.padding}'`);
    this.params = layerParams(op, parseConv2dOptions(op, conv));
    const { groups, stride } = this.params;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`${op}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups=${groups}`);
    }
    const extra = outputPadding ?? 0;
    if (!(typeof extra === 'number' || (Array.isArray(extra) && extra.length === 2))) {
      throw new Error(`${op}: outputPadding must be a number or [oh, ow], got ${JSON.stringify(extra)}`);
    }
    this.outputPadding = pair(extra);
    // below the stride, so the adjoint conv maps the output back onto x exactly (PyTorch also
    // allows up to the dilation; those extra rows would be bias only, and are refused here)
    this.outputPadding.forEach((p, a) => {
      if (!Number.isInteger(p) || p < 0 || p >= stride[a]) {
        throw new Error(`${op}: outputPadding[${a}] must be an integer in [0, ${stride[a]}) (below the stride), got ${p}`);
      }
    });
    this.kernelSize = kernel;
    this.options = {
      stride: conv.stride ?? 1, padding: conv.padding ?? 0, outputPadding: extra, dilation: conv.dilation ?? 1, groups, bias: bias !== false,
    };
    this.weight = new Parameter(this.backend, 'weight', [inChannels, outChannels / groups, ...kernel]);
    this.bias = bias === false ? null : new Parameter(this.backend, 'bias', [outChannels]);
    this.weightsBlocks = new WeightsBlocks(this.backend, op, this.weight);
    this.y = new Buffer(this.backend, op);
    this.dx = new Buffer(this.backend, op);
    this.resetParameters(new Random(seed ?? 0));
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  override resetParameters(random: Random): void {
    // PyTorch's fan-in of a transposed conv's weight: weight.shape[1]·KH·KW
    const fanIn = sizeOf(this.weight.shape.slice(1));
    this.weight.write(kaimingNormal(this.weight.size, fanIn, random));
    this.bias?.write(new Float32Array(this.outChannels));
  }

  forward(x: Activation): Activation {
    const { geometry, passes, outShape } = this.plan(x.shape);
    const { kernels, arena } = this.backend;
    const y = this.y.reserve(sizeOf(outShape));
    const C = this.outChannels, plane = geometry.inH * geometry.inW;
    const p = { dy: x.ptr, w: this.weight.ptr, dx: y };
    const prepared = this.weightsBlocks.for(passes.inputGradient, p); // may allocate: before the layout
    const at = arena.layout(this.op, { zeros: C, ones: C, scratch: passes.inputGradient.scratchFloats });
    passes.inputGradient.run(kernels, p, at.scratch, undefined, prepared);
    if (this.bias) {
      // y = (y − 0)·1 + bias per channel: BatchNorm's affine kernel, exact with these constants
      const f32 = arena.f32();
      f32.fill(0, at.zeros / 4, at.zeros / 4 + C);
      f32.fill(1, at.ones / 4, at.ones / 4 + C);
      kernels.f32_channel_normalize(y, outShape[0], C, plane, C * plane, at.zeros, at.ones, this.bias.ptr, y);
    }
    this.input = x;
    this.outShape = outShape;
    return { ptr: y, shape: outShape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const x = this.lastInput(this.input);
    this.checkGradientShape(dy, this.outShape);
    const { geometry, passes } = this.plan(x.shape);
    const { kernels, arena } = this.backend;
    const dx = inputGradient ? this.dx.reserve(sizeOf(x.shape)) : 0;
    const dxPointers = { x: dy.ptr, w: this.weight.ptr, bias: 0, y: dx };
    const prepared = inputGradient ? this.weightsBlocks.for(passes.forward, dxPointers) : undefined; // before the layout
    const scratchFloats = Math.max(passes.filterGradient.scratchFloats, inputGradient ? passes.forward.scratchFloats : 0);
    // the conv's db would sum this layer's x: computed into scratch and dropped
    const at = arena.layout(this.op, { convDb: this.inChannels, scratch: scratchFloats });
    passes.filterGradient.run(kernels, { dy: x.ptr, x: dy.ptr, dw: this.weight.gradPtr, db: at.convDb }, at.scratch);
    if (this.bias) {
      const C = this.outChannels, plane = geometry.inH * geometry.inW;
      kernels.f32_channel_sums(dy.ptr, x.shape[0], C, plane, C * plane, this.bias.gradPtr);
    }
    if (!inputGradient) return null;
    passes.forward.run(kernels, dxPointers, at.scratch, undefined, prepared);
    return { ptr: dx, shape: x.shape };
  }

  spec(): LayerSpec {
    return { type: 'ConvTranspose2d', inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, ...this.options };
  }

  dispose(): void {
    this.weightsBlocks.dispose();
    this.weight.dispose();
    this.bias?.dispose();
    this.y.dispose();
    this.dx.dispose();
    this.input = null;
  }

  private plan(xShape: readonly number[]): Plan {
    const threads = threadsOf(this.op, this.backend);
    const key = `${xShape.join(',')}${threads?.pool.serving ? ' threads' : ''}`;
    let plan = this.plans.get(key);
    if (plan) return plan;
    if (xShape.length !== 4) throw new Error(`${this.op}: x must have rank 4 ([N,C,H,W]), got shape ${formatShape(xShape)} for ${this.toString()}`);
    const [N, C, H, W] = xShape;
    if (C !== this.inChannels) throw new Error(`${this.op}: x has ${C} channels but ${this.toString()} takes ${this.inChannels} (x ${formatShape(xShape)})`);
    const { stride, dilation, padding } = this.params;
    const pads = padding as Array<[number, number]>;
    const outSizes = [H, W].map((size, a) =>
      (size - 1) * stride[a] - pads[a][0] - pads[a][1] + dilation[a] * (this.kernelSize[a] - 1) + this.outputPadding[a] + 1);
    if (outSizes.some((s) => s < 1)) {
      throw new Error(`${this.op}: x ${formatShape(xShape)} gives an empty output (${outSizes.join('×')}) with ${this.toString()}: the padding is larger than what the kernel adds`);
    }
    const outShape = [N, this.outChannels, outSizes[0], outSizes[1]];
    const geometry = convGeometry(this.op, outShape, this.weight.shape, this.params);
    // the adjoint conv maps the output back onto x's size (outputPadding < stride): checked all the same
    if (geometry.outShape.some((d, i) => d !== xShape[i])) {
      throw new Error(`${this.op}: x ${formatShape(xShape)} and output ${formatShape(outShape)} are not adjoint under ${this.toString()} (the conv of the output has shape ${formatShape(geometry.outShape)})`);
    }
    plan = { geometry, passes: convPasses(geometry, threads), outShape };
    this.plans.set(key, plan);
    return plan;
  }
}
