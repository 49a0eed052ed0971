// A stack of layers run in order. The batch is copied into Wasm memory once; every layer then
// reads and writes resident buffers, and only the loss (or the logits, if asked) come back to JS.
import { formatShape, sizeOf, type Tensor } from '../tensor.js';
import type { Backend } from '../runtime.js';
import { Conv1d, Conv2d } from './conv.js';
import { ReLU } from './activation.js';
import { Clip, HardSigmoid, HardSwish, LeakyReLU, ReLU6, Sigmoid, SiLU, Tanh } from './layers/activations.js';
import { Flatten } from './flatten.js';
import { describeSpec, Layer, type LayerSpec } from './layer.js';
import { Linear } from './linear.js';
import { SoftmaxCrossEntropy, type LossResult } from './loss.js';
import type { Optimizer } from './optim.js';
import { MaxPool2d } from './pool.js';
import { AvgPool2d } from './layers/avgpool.js';
import { ConvTranspose2d } from './layers/conv-transpose.js';
import { GlobalAvgPool2d } from './layers/global-avgpool.js';
import { Random } from './random.js';
import { Buffer, type Activation, type Parameter } from './resident.js';
import { decodeWeights, encodeWeights, type WeightsFile } from './weights.js';

export interface SequentialOptions {
  /** when given, every parameter is re-drawn from this seed, layer by layer (He/Kaiming normal, zero biases) */
  seed?: number;
  /** label smoothing ε of the loss, in [0, 1), default 0 (evaluate() reports the same loss) */
  labelSmoothing?: number;
}

export interface EvaluateResult {
  /** mean cross-entropy */
  loss: number;
  accuracy: number;
  correct: number;
  count: number;
}

/** Builds one layer from its spec (as recorded in a weights file). */
export function layerFromSpec(spec: LayerSpec): Layer {
  switch (spec?.type) {
    case 'Conv2d': {
      const { inChannels, outChannels, kernelSize, type: _, ...opts } = spec;
      return new Conv2d(inChannels, outChannels, kernelSize, opts);
    }
    case 'Conv1d': {
      const { inChannels, outChannels, kernelSize, type: _, ...opts } = spec;
      return new Conv1d(inChannels, outChannels, kernelSize, opts);
    }
    case 'ConvTranspose2d': {
      const { inChannels, outChannels, kernelSize, type: _, ...opts } = spec;
      return new ConvTranspose2d(inChannels, outChannels, kernelSize, opts);
    }
    case 'Linear':
      return new Linear(spec.inFeatures, spec.outFeatures, { bias: spec.bias });
    case 'ReLU':
      return new ReLU();
    case 'LeakyReLU':
      return new LeakyReLU(spec.negativeSlope);
    case 'ReLU6':
      return new ReLU6();
    case 'Clip':
      return new Clip(spec.min, spec.max);
    case 'HardSigmoid':
      return new HardSigmoid({ alpha: spec.alpha, beta: spec.beta });
    case 'HardSwish':
      return new HardSwish();
    case 'Sigmoid':
      return new Sigmoid();
    case 'Tanh':
      return new Tanh();
    case 'SiLU':
      return new SiLU();
    case 'MaxPool2d':
      return new MaxPool2d(spec.kernelSize, { stride: spec.stride, padding: spec.padding, ceilMode: spec.ceilMode });
    case 'Flatten':
      return new Flatten();
    case 'GlobalAvgPool2d':
      return new GlobalAvgPool2d();
    case 'AvgPool2d':
      return new AvgPool2d(spec.kernelSize, { stride: spec.stride, padding: spec.padding, ceilMode: spec.ceilMode, countIncludePad: spec.countIncludePad });
    default:
      throw new Error(`nn.Sequential: unknown layer spec ${JSON.stringify(spec)}`);
  }
}

/** A Graph's weights file is not a chain of layers: an Error pointing to nn.Graph. */
function refuseGraph(file: WeightsFile, source: string): void {
  if (file.graph) throw new Error(`${source}: this weights file holds an nn.Graph, not an nn.Sequential; load it with nn.Graph.fromWeights`);
}

export class Sequential {
  readonly layers: readonly Layer[];
  private readonly backend: Backend;
  private readonly input: Buffer;
  private readonly dyIn: Buffer;
  private readonly lossFn: SoftmaxCrossEntropy;
  private output: Activation | null = null;
  private disposed = false;

  constructor(layers: Layer[], opts: SequentialOptions = {}) {
    const op = 'nn.Sequential';
    if (!Array.isArray(layers) || layers.length === 0 || !layers.every((l) => l instanceof Layer)) {
      throw new Error(`${op}: layers must be a non-empty array of layers (nn.Conv2d, nn.ReLU, …)`);
    }
    this.backend = layers[0].kernelsBackend;
    const modal = layers.find((l) => l.modal || l.buffers().length > 0);
    if (modal) {
      throw new Error(`${op}: ${modal} acts differently in training and inference (train/eval modes, running statistics), which a Sequential does not switch or save; build the model as an nn.Graph (nn.GraphBuilder)`);
    }
    if (layers.some((l) => l.kernelsBackend !== this.backend)) {
      throw new Error(`${op}: every layer must be built on the same backend (init({ isa }) was switched between layers)`);
    }
    this.layers = Object.freeze([...layers]);
    layers.forEach((layer, i) => layer.parameters().forEach((p) => (p.name = `${i}.${p.name.split('.').pop()}`)));
    if (opts.seed !== undefined) {
      const random = new Random(opts.seed);
      for (const layer of layers) layer.resetParameters(random);
    }
    this.input = new Buffer(this.backend, op);
    this.dyIn = new Buffer(this.backend, op);
    this.lossFn = new SoftmaxCrossEntropy(this.backend, { labelSmoothing: opts.labelSmoothing });
  }

  /** The training loss's label smoothing ε (SoftmaxCrossEntropy's); may be changed between steps. */
  get labelSmoothing(): number {
    return this.lossFn.labelSmoothing;
  }

  set labelSmoothing(value: number) {
    this.lossFn.labelSmoothing = value;
  }

  /** A model from layer specs (e.g. the "layers" of a weights file). */
  static fromSpec(specs: LayerSpec[], opts: SequentialOptions = {}): Sequential {
    if (!Array.isArray(specs)) throw new Error('nn.Sequential.fromSpec: specs must be an array of layer specs');
    return new Sequential(specs.map(layerFromSpec), opts);
  }

  /** A model built from a weights file's architecture, holding its weights. */
  static fromWeights(bytes: Uint8Array, source = 'weights'): Sequential {
    const file = decodeWeights(bytes, source);
    refuseGraph(file, source);
    const model = Sequential.fromSpec(file.layers);
    model.loadWeights(bytes, source);
    return model;
  }

  /** Every trainable parameter, in layer order, named `<layer index>.weight` / `.bias`. */
  parameters(): Parameter[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  spec(): LayerSpec[] {
    return this.layers.map((l) => l.spec());
  }

  /** Runs the layers on x (copied into Wasm memory); returns a copy of the output. */
  forward(x: Tensor): Tensor {
    const y = this.forwardResident(x);
    return { data: this.backend.arena.read(y.ptr, sizeOf(y.shape)), shape: [...y.shape] };
  }

  /**
   * Back-propagates dy = ∂L/∂y of the last forward pass: overwrites every parameter's gradient.
   * Returns ∂L/∂x only if `inputGradient` is true (it costs one more pass in the first layer).
   */
  backward(dy: Tensor, opts: { inputGradient?: boolean } = {}): Tensor | null {
    const op = 'nn.Sequential.backward';
    const y = this.lastOutput(op);
    if (!dy || !(dy.data instanceof Float32Array) || dy.data.length !== sizeOf(y.shape)) {
      throw new Error(`${op}: dy must be a Tensor of shape ${formatShape(y.shape)} (the last output's), got ${dy?.shape ? formatShape(dy.shape) : String(dy)}`);
    }
    const ptr = this.dyIn.reserve(dy.data.length);
    this.backend.arena.write(ptr, dy.data);
    const dx = this.backwardResident({ ptr, shape: y.shape }, opts.inputGradient === true);
    return dx ? { data: this.backend.arena.read(dx.ptr, sizeOf(dx.shape)), shape: [...dx.shape] } : null;
  }

  /** Forward, softmax cross-entropy against labels, backward: the gradients of the mean loss. */
  gradients(x: Tensor, labels: ArrayLike<number>): LossResult {
    const y = this.forwardResident(x);
    const result = this.lossFn.forward(y, labels);
    this.backwardResident(this.lossFn.backward(), false);
    return result;
  }

  /** One training step: gradients(x, labels), then optimizer.step(). */
  trainStep(x: Tensor, labels: ArrayLike<number>, optimizer: Optimizer): LossResult {
    const result = this.gradients(x, labels);
    optimizer.step();
    return result;
  }

  /** Mean loss and accuracy over a data set [N, ...], in batches of `batchSize` (default 500). */
  evaluate(x: Tensor, labels: ArrayLike<number>, opts: { batchSize?: number } = {}): EvaluateResult {
    const N = x.shape[0];
    if (labels.length !== N) throw new Error(`nn.Sequential.evaluate: labels has ${labels.length} entries but x ${formatShape(x.shape)} has ${N} samples`);
    const batch = opts.batchSize ?? 500;
    const per = sizeOf(x.shape.slice(1));
    let loss = 0, correct = 0;
    for (let start = 0; start < N; start += batch) {
      const n = Math.min(batch, N - start);
      const xb = { data: x.data.subarray(start * per, (start + n) * per), shape: [n, ...x.shape.slice(1)] };
      const r = this.lossFn.forward(this.forwardResident(xb), Array.prototype.slice.call(labels, start, start + n));
      loss += r.loss * n;
      correct += r.correct;
    }
    return { loss: loss / N, accuracy: correct / N, correct, count: N };
  }

  /** The weights file (see weights.ts): architecture, every parameter, and `meta`. */
  saveWeights(meta: Record<string, unknown> = {}): Uint8Array {
    return encodeWeights({
      layers: this.spec(),
      tensors: this.parameters().map((p) => ({ name: p.name, shape: [...p.shape], data: p.read() })),
      meta,
    });
  }

  /** Loads a weights file saved from the same architecture; anything else is an Error saying what differs. */
  loadWeights(bytes: Uint8Array, source = 'weights'): Record<string, unknown> {
    const file = decodeWeights(bytes, source);
    refuseGraph(file, source);
    const mine = this.spec();
    const describeAll = (specs: LayerSpec[]) => specs.map((s) => { try { return describeSpec(s); } catch { return JSON.stringify(s); } }).join(' → ');
    const sameArchitecture = file.layers.length === mine.length && file.layers.every((s, i) => JSON.stringify(s) === JSON.stringify(mine[i]));
    if (!sameArchitecture) {
      throw new Error(`${source}: weights of another architecture: the file has ${describeAll(file.layers)}; this model is ${describeAll(mine)}`);
    }
    const params = this.parameters();
    if (file.tensors.length !== params.length) {
      throw new Error(`${source}: the file holds ${file.tensors.length} tensors but this model has ${params.length} parameters`);
    }
    file.tensors.forEach((t, i) => {
      const p = params[i];
      if (t.name !== p.name || t.shape.length !== p.shape.length || t.shape.some((d, j) => d !== p.shape[j])) {
        throw new Error(`${source}: tensor ${i} is ${t.name} ${formatShape(t.shape)} in the file but ${p.name} ${formatShape(p.shape)} in this model`);
      }
    });
    file.tensors.forEach((t, i) => params[i].write(t.data));
    return file.meta;
  }

  /** Frees every layer's Wasm memory; the model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) layer.dispose();
    this.input.dispose();
    this.dyIn.dispose();
    this.lossFn.dispose();
    this.output = null;
  }

  private forwardResident(x: Tensor): Activation {
    const op = 'nn.Sequential.forward';
    if (this.disposed) throw new Error(`${op}: the model was disposed`);
    if (!x || !(x.data instanceof Float32Array) || !Array.isArray(x.shape) || x.data.length !== sizeOf(x.shape)) {
      throw new Error(`${op}: x must be a Tensor { data: Float32Array, shape } whose data length matches its shape`);
    }
    this.backend.pool?.wake(); // the workers poll while the batch is copied in
    const ptr = this.input.reserve(x.data.length);
    this.backend.arena.write(ptr, x.data);
    let a: Activation = { ptr, shape: [...x.shape] };
    for (const layer of this.layers) a = layer.forward(a);
    this.output = a;
    return a;
  }

  private backwardResident(dy: Activation, inputGradient: boolean): Activation | null {
    let d: Activation | null = dy;
    for (let i = this.layers.length - 1; i >= 0 && d; i--) d = this.layers[i].backward(d, i > 0 || inputGradient);
    return d;
  }

  private lastOutput(op: string): Activation {
    if (!this.output) throw new Error(`${op}: call forward first`);
    return this.output;
  }
}
