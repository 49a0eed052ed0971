// BatchNorm2d over x [N, C, H, W], PyTorch's definitions. Per channel c, over the M = N·H·W
// values of the batch:
//   train:  μ = mean x, σ² = mean (x − μ)² (biased); y = γ·(x − μ)/√(σ² + eps) + β;
//           running_mean ← (1 − m)·running_mean + m·μ,
//           running_var  ← (1 − m)·running_var  + m·σ²·M/(M − 1)   (the unbiased variance)
//   eval:   y = γ·(x − running_mean)/√(running_var + eps) + β
// Backward, with x̂ = (x − μ)/√(σ² + eps), k = γ/√(σ² + eps):
//   dβ = Σ dy,  dγ = Σ dy·x̂,
//   train: dx = k·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)   (μ and σ² depend on x)
//   eval:  dx = k·dy                               (the running statistics do not)
// The passes over the data are kernels split across threads by channel; the per-channel
// arithmetic (C values) runs here in float64.
import type { KernelExports } from '../../loader.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, Parameter, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread. */
const MIN_SPLIT = 1 << 17;

/** Per-channel vectors the kernels read or write, in one resident block of SLOTS·C floats. */
const CENTER = 0, SCALE = 1, SHIFT = 2, SUM_A = 3, SUM_B = 4, COEF_A = 5, COEF_B = 6, COEF_K = 7, SLOTS = 8;

export interface BatchNorm2dOptions {
  /** added to the variance inside the square root (default 1e-5) */
  eps?: number;
  /** weight of the new batch in the running statistics (default 0.1) */
  momentum?: number;
}

/** What the last forward pass used: backward needs the same statistics. */
interface Saved {
  x: Activation;
  training: boolean;
  /** 1/√(σ² + eps) per channel (batch or running variance) */
  invStd: Float64Array;
  gamma: Float32Array;
}

export class BatchNorm2d extends Layer {
  /** γ, initially 1 */
  readonly weight: Parameter;
  /** β, initially 0 */
  readonly bias: Parameter;
  readonly runningMean: Parameter;
  readonly runningVar: Parameter;
  readonly eps: number;
  readonly momentum: number;
  private training = true;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private readonly channelData: Buffer;
  private saved: Saved | null = null;

  constructor(readonly numFeatures: number, opts: BatchNorm2dOptions = {}) {
    super('nn.BatchNorm2d');
    positiveInteger(this.op, 'numFeatures', numFeatures);
    const eps = opts?.eps ?? 1e-5, momentum = opts?.momentum ?? 0.1;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`${this.op}: eps must be a finite number > 0, got ${String(eps)}`);
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new Error(`${this.op}: momentum must be a number in [0, 1], got ${String(momentum)}`);
    this.eps = eps;
    this.momentum = momentum;
    const C = numFeatures;
    this.weight = new Parameter(this.backend, 'weight', [C]);
    this.bias = new Parameter(this.backend, 'bias', [C]);
    this.runningMean = new Parameter(this.backend, 'running_mean', [C]);
    this.runningVar = new Parameter(this.backend, 'running_var', [C]);
    this.weight.write(new Float32Array(C).fill(1));
    this.runningVar.write(new Float32Array(C).fill(1));
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
    this.channelData = new Buffer(this.backend, this.op);
  }

  override parameters(): Parameter[] {
    return [this.weight, this.bias];
  }

  override buffers(): Parameter[] {
    return [this.runningMean, this.runningVar];
  }

  override get modal(): boolean {
    return true;
  }

  override setTraining(training: boolean): void {
    this.training = training;
  }

  /** γ = 1, β = 0 (running statistics are left as they are). */
  override resetParameters(): void {
    this.weight.write(new Float32Array(this.numFeatures).fill(1));
    this.bias.write(new Float32Array(this.numFeatures));
  }

  forward(x: Activation): Activation {
    const C = this.numFeatures;
    if (x.shape.length !== 4 || x.shape[1] !== C) {
      throw new Error(`${this.op}: x has shape ${formatShape(x.shape)} but ${this.toString()} takes [N,${C},H,W]`);
    }
    const [N, , H, W] = x.shape;
    const M = N * H * W;
    if (this.training && M < 2) {
      throw new Error(`${this.op}: training needs more than one value per channel, got x ${formatShape(x.shape)} (use eval() for a single value)`);
    }
    const slots = this.channelData.reserve(SLOTS * C);
    const at = (slot: number): number => slots + slot * C * 4;
    const gamma = this.weight.read();
    const beta = this.bias.read();
    const center = new Float64Array(C), invStd = new Float64Array(C);
    if (this.training) {
      this.byChannel(x.shape, (k, c0, cc, offset) => k.f32_channel_sums(x.ptr + offset, N, cc, H * W, C * H * W, at(SUM_A) + c0 * 4));
      const sums = this.read(at(SUM_A), C);
      for (let c = 0; c < C; c++) center[c] = Math.fround(sums[c] / M);
      this.write(at(CENTER), center);
      this.byChannel(x.shape, (k, c0, cc, offset) =>
        k.f32_channel_sqdev(x.ptr + offset, N, cc, H * W, C * H * W, at(CENTER) + c0 * 4, at(SUM_B) + c0 * 4));
      const sq = this.read(at(SUM_B), C);
      const runningMean = this.runningMean.read(), runningVar = this.runningVar.read();
      const m = this.momentum;
      for (let c = 0; c < C; c++) {
        const variance = sq[c] / M;
        invStd[c] = 1 / Math.sqrt(variance + this.eps);
        runningMean[c] = (1 - m) * runningMean[c] + m * center[c];
        runningVar[c] = (1 - m) * runningVar[c] + m * variance * (M / (M - 1));
      }
      this.runningMean.write(runningMean);
      this.runningVar.write(runningVar);
    } else {
      const runningMean = this.runningMean.read(), runningVar = this.runningVar.read();
      for (let c = 0; c < C; c++) {
        center[c] = runningMean[c];
        invStd[c] = 1 / Math.sqrt(runningVar[c] + this.eps);
      }
      this.write(at(CENTER), center);
    }
    this.write(at(SCALE), Float64Array.from(gamma, (g, c) => g * invStd[c]));
    this.write(at(SHIFT), beta);
    const y = this.y.reserve(sizeOf(x.shape));
    this.byChannel(x.shape, (k, c0, cc, offset) =>
      k.f32_channel_normalize(x.ptr + offset, N, cc, H * W, C * H * W, at(CENTER) + c0 * 4, at(SCALE) + c0 * 4, at(SHIFT) + c0 * 4, y + offset));
    this.saved = { x, training: this.training, invStd, gamma };
    return { ptr: y, shape: x.shape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.saved) throw new Error(`${this.op}: backward called before forward`);
    const { x, training, invStd, gamma } = this.saved;
    this.checkGradientShape(dy, x.shape);
    const C = this.numFeatures;
    const [N, , H, W] = x.shape;
    const M = N * H * W;
    const slots = this.channelData.reserve(SLOTS * C);
    const at = (slot: number): number => slots + slot * C * 4;
    // Σ dy and Σ dy·(x − center), with the center of the forward pass (still in its slot)
    this.byChannel(x.shape, (k, c0, cc, offset) =>
      k.f32_channel_dy_sums(dy.ptr + offset, x.ptr + offset, N, cc, H * W, C * H * W, at(CENTER) + c0 * 4, at(SUM_A) + c0 * 4, at(SUM_B) + c0 * 4));
    const sumDy = this.read(at(SUM_A), C), sumDyXc = this.read(at(SUM_B), C);
    this.write(this.bias.gradPtr, sumDy);
    this.write(this.weight.gradPtr, Float64Array.from(sumDyXc, (s, c) => s * invStd[c]));
    if (!inputGradient) return null;
    const a = new Float64Array(C), b = new Float64Array(C), k0 = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      a[c] = gamma[c] * invStd[c];
      if (training) {
        b[c] = (-a[c] * invStd[c] * invStd[c] * sumDyXc[c]) / M;
        k0[c] = (-a[c] * sumDy[c]) / M;
      }
    }
    this.write(at(COEF_A), a);
    this.write(at(COEF_B), b);
    this.write(at(COEF_K), k0);
    const dx = this.dx.reserve(sizeOf(x.shape));
    this.byChannel(x.shape, (k, c0, cc, offset) =>
      k.f32_batchnorm_dx(dy.ptr + offset, x.ptr + offset, N, cc, H * W, C * H * W,
        at(CENTER) + c0 * 4, at(COEF_A) + c0 * 4, at(COEF_B) + c0 * 4, at(COEF_K) + c0 * 4, dx + offset));
    return { ptr: dx, shape: x.shape };
  }

  spec(): LayerSpec {
    return { type: 'BatchNorm2d', numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum };
  }

  dispose(): void {
    for (const p of [this.weight, this.bias, this.runningMean, this.runningVar]) p.dispose();
    this.y.dispose();
    this.dx.dispose();
    this.channelData.dispose();
    this.saved = null;
  }

  /** Runs part(kernels, first channel, channels, byte offset of that channel's plane in image 0) over blocks of channels. */
  private byChannel(shape: readonly number[], part: (k: KernelExports, c0: number, channels: number, offset: number) => void): void {
    const [N, C, H, W] = shape;
    splitRange(this.backend, this.op, C, Math.ceil(MIN_SPLIT / (N * H * W)), (k, c0, cc) => part(k, c0, cc, c0 * H * W * 4));
  }

  private read(ptr: number, count: number): Float32Array {
    return this.backend.arena.read(ptr, count);
  }

  private write(ptr: number, values: ArrayLike<number>): void {
    this.backend.arena.f32().set(values, ptr >>> 2);
  }
}

/**
 * Folds an inference-mode BatchNorm into the conv before it: y = γ·(conv(x) + b − μ)/√(σ² + ε) + β
 * = conv'(x) with w' = w·k and b' = β + (b − μ)·k, k = γ/√(σ² + ε) per output channel. Scales
 * `weight` ([O, …], O = gamma.length) in place and returns b'. Shared by nn.foldBatchNorm and
 * the ONNX importer.
 */
export function foldIntoConv(
  weight: Float32Array, bias: ArrayLike<number> | null,
  gamma: ArrayLike<number>, beta: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number,
): Float32Array {
  const channels = gamma.length;
  const perChannel = weight.length / channels;
  const folded = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const k = gamma[c] / Math.sqrt(variance[c] + eps);
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) weight[i] *= k;
    folded[c] = beta[c] + ((bias ? bias[c] : 0) - mean[c]) * k;
  }
  return folded;
}
