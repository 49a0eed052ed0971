// What every layer implements. A layer reads its input from Wasm memory and writes its output
// to a buffer it owns there, so a model's forward and backward passes hand pointers from layer
// to layer and nothing is copied to JS in between. The input of the last forward pass stays
// where the previous layer wrote it until that layer's next forward, which is what backward uses.
import { requireBackend, type Backend } from '../runtime.js';
import type { Activation, Parameter } from './resident.js';
import type { Random } from './random.js';

/** A layer's constructor arguments as JSON: what a weights file records as the architecture. */
export type LayerSpec =
  | {
      type: 'Conv2d'; inChannels: number; outChannels: number; kernelSize: [number, number];
      stride: number | [number, number];
      padding: number | [number, number] | [number, number, number, number] | 'valid' | 'same';
      dilation: number | [number, number]; groups: number; bias: boolean;
    }
  | {
      type: 'Conv1d'; inChannels: number; outChannels: number; kernelSize: number;
      stride: number; padding: number | [number, number] | 'valid' | 'same'; dilation: number; groups: number; bias: boolean;
    }
  | { type: 'Linear'; inFeatures: number; outFeatures: number; bias: boolean }
  | { type: 'ReLU' }
  | { type: 'MaxPool2d'; kernelSize: [number, number]; stride: [number, number]; padding?: [number, number]; ceilMode?: boolean }
  | { type: 'Flatten' }
  | { type: 'BatchNorm2d'; numFeatures: number; eps: number; momentum: number }
  | { type: 'GlobalAvgPool2d' }
  | { type: 'Add' }
  | { type: 'Dropout'; p: number; seed: number }
  | {
      type: 'AvgPool2d'; kernelSize: [number, number]; stride: [number, number]; padding: [number, number];
      ceilMode: boolean; countIncludePad: boolean;
    }
  | { type: 'Concat'; inputs: number }
  | {
      type: 'ConvTranspose2d'; inChannels: number; outChannels: number; kernelSize: [number, number];
      stride: number | [number, number]; padding: number | [number, number] | [number, number, number, number];
      outputPadding: number | [number, number]; dilation: number | [number, number]; groups: number; bias: boolean;
    }
  | { type: 'ChannelAffine'; channels: number; rank: number }
  | { type: 'Mul' }
  | { type: 'ChannelSlice'; start: number; count: number }
  | { type: 'Softmax' }
  | { type: 'Pad2d'; padding: [number, number, number, number]; value: number }
  | { type: 'ChannelShuffle'; groups: number }
  | { type: 'LeakyReLU'; negativeSlope: number }
  | { type: 'ReLU6' }
  | { type: 'Clip'; min: number; max: number }
  | { type: 'HardSigmoid'; alpha: number; beta: number }
  | { type: 'HardSwish' }
  | { type: 'Sigmoid' }
  | { type: 'Tanh' }
  | { type: 'SiLU' };

export abstract class Layer {
  protected readonly backend: Backend;

  protected constructor(protected readonly op: string) {
    this.backend = requireBackend(op);
  }

  /** y for input x (both resident, batch first). Keeps what backward needs. */
  abstract forward(x: Activation): Activation;

  /**
   * Given dy = ∂L/∂y for the last forward pass, overwrites every parameter's gradient and
   * returns dx = ∂L/∂x, or null when `inputGradient` is false (the first layer needs none).
   */
  abstract backward(dy: Activation, inputGradient: boolean): Activation | null;

  /** The layer's constructor arguments, as JSON. */
  abstract spec(): LayerSpec;

  /** Trainable parameters (none for ReLU, MaxPool2d, Flatten). */
  parameters(): Parameter[] {
    return [];
  }

  /**
   * Non-trainable state a weights file keeps beside the parameters (BatchNorm's running
   * statistics). Held as Parameters so they read, write and save the same way; their gradients
   * stay zero and no optimiser is given them.
   */
  buffers(): Parameter[] {
    return [];
  }

  /** True for layers that act differently in training and inference (BatchNorm2d, Dropout). */
  get modal(): boolean {
    return false;
  }

  /** Training (true) or inference (false) mode: BatchNorm's batch vs running statistics, Dropout on or off. */
  setTraining(_training: boolean): void {}

  /** Re-draws the parameters (He/Kaiming normal weights, zero biases) from `random`. */
  resetParameters(_random: Random): void {}

  /** Frees the layer's Wasm memory; the layer is unusable afterwards. */
  abstract dispose(): void;

  /** The backend (kernels and memory) the layer was built on. */
  get kernelsBackend(): Backend {
    return this.backend;
  }

  /** `Conv2d(1→16, 5×5)`: how the layer appears in messages. */
  toString(): string {
    return describeSpec(this.spec());
  }

  /** The input of the last forward pass, or an Error saying backward came first. */
  protected lastInput(x: Activation | null): Activation {
    if (!x) throw new Error(`${this.op}: backward called before forward`);
    return x;
  }

  /** Throws unless dy has the shape of the last output. */
  protected checkGradientShape(dy: Activation, yShape: readonly number[]): void {
    if (dy.shape.length !== yShape.length || dy.shape.some((d, i) => d !== yShape[i])) {
      throw new Error(`${this.op}: dy has shape [${dy.shape.join(',')}] but the last forward pass output [${yShape.join(',')}]`);
    }
  }
}

export function describeSpec(s: LayerSpec): string {
  switch (s.type) {
    case 'Conv2d':
      return `Conv2d(${s.inChannels}→${s.outChannels}, ${s.kernelSize.join('×')})`;
    case 'ConvTranspose2d':
      return `ConvTranspose2d(${s.inChannels}→${s.outChannels}, ${s.kernelSize.join('×')})`;
    case 'Conv1d':
      return `Conv1d(${s.inChannels}→${s.outChannels}, ${s.kernelSize})`;
    case 'Linear':
      return `Linear(${s.inFeatures}→${s.outFeatures})`;
    case 'MaxPool2d':
      return `MaxPool2d(${s.kernelSize.join('×')}, stride ${s.stride.join('×')}${s.padding ? `, padding ${s.padding.join('×')}` : ''}${s.ceilMode ? ', ceil' : ''})`;
    case 'BatchNorm2d':
      return `BatchNorm2d(${s.numFeatures})`;
    case 'Dropout':
      return `Dropout(${s.p})`;
    case 'AvgPool2d':
      return `AvgPool2d(${s.kernelSize.join('×')}, stride ${s.stride.join('×')}, padding ${s.padding.join('×')})`;
    case 'Concat':
      return `Concat(${s.inputs})`;
    case 'ChannelAffine':
      return `ChannelAffine(${s.channels})`;
    case 'ChannelShuffle':
      return `ChannelShuffle(${s.groups})`;
    case 'Pad2d':
      return `Pad2d(${s.padding.join(',')}, ${s.value})`;
    case 'ChannelSlice':
      return `ChannelSlice(${s.start}…${s.start + s.count - 1})`;
    case 'LeakyReLU':
      return `LeakyReLU(${s.negativeSlope})`;
    case 'Clip':
      return `Clip(${s.min}, ${s.max})`;
    case 'HardSigmoid':
      return `HardSigmoid(alpha ${s.alpha}, beta ${s.beta})`;
    default:
      return `${s.type}()`;
  }
}

export function positiveInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${op}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
