// ONNX models built in code with onnx-proto (seeded random weights), and onnxruntime-web to run
// them: the references the ONNX import and export are tested against.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import { nn } from '../../src/index.js';
import { product, randomData, seededRandom } from './random.js';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;
const T = onnx.TensorProto.DataType;

export const attr = {
  int: (name: string, i: number): Onnx.IAttributeProto => ({ name, type: A.INT, i }),
  ints: (name: string, ints: number[]): Onnx.IAttributeProto => ({ name, type: A.INTS, ints }),
  float: (name: string, f: number): Onnx.IAttributeProto => ({ name, type: A.FLOAT, f }),
  string: (name: string, s: string): Onnx.IAttributeProto => ({ name, type: A.STRING, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: Onnx.ITensorProto): Onnx.IAttributeProto => ({ name, type: A.TENSOR, t }),
};

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): Onnx.ITensorProto {
  const own = Float32Array.from(data);
  return { name, dims, dataType: T.FLOAT, rawData: new Uint8Array(own.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: number[]): Onnx.ITensorProto {
  const own = BigInt64Array.from(values.map(BigInt));
  return { name, dims, dataType: T.INT64, rawData: new Uint8Array(own.buffer) };
}

/** Writes an ONNX graph node by node; weights are drawn from the seed. */
export class OnnxBuilder {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly random: () => number;
  private count = 0;

  constructor(seed: number, readonly opset = 13) {
    this.random = seededRandom(seed);
  }

  /** A random float initializer, uniform in [lo, hi). */
  weight(name: string, dims: number[], lo = -0.5, hi = 0.5): string {
    const data = randomData(dims.reduce((a, b) => a * b, 1), this.random).map((v) => lo + ((v + 1) / 2) * (hi - lo));
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  ints(name: string, values: number[], dims = [values.length]): string {
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  node(opType: string, input: string[], attribute: Onnx.IAttributeProto[] = [], output?: string[]): string {
    const name = `${opType.toLowerCase()}_${++this.count}`;
    const out = output ?? [`${name}_out`];
    this.nodes.push({ name, opType, input, output: out, attribute });
    return out[0];
  }

  /** Conv (+ bias) with He-scaled random weights. */
  conv(x: string, cin: number, cout: number, k: number, attrs: Onnx.IAttributeProto[] = [], opts: { bias?: boolean; group?: number } = {}): string {
    const group = opts.group ?? 1;
    const n = ++this.count;
    const scale = Math.sqrt(6 / ((cin / group) * k * k));
    const w = this.weight(`conv${n}.w`, [cout, cin / group, k, k], -scale, scale);
    const inputs = [x, w];
    if (opts.bias) inputs.push(this.weight(`conv${n}.b`, [cout], -0.2, 0.2));
    return this.node('Conv', inputs, [attr.ints('kernel_shape', [k, k]), ...(group > 1 ? [attr.int('group', group)] : []), ...attrs]);
  }

  batchNorm(x: string, c: number): string {
    const n = ++this.count;
    return this.node('BatchNormalization', [
      x, this.weight(`bn${n}.gamma`, [c], 0.5, 1.5), this.weight(`bn${n}.beta`, [c], -0.2, 0.2),
      this.weight(`bn${n}.mean`, [c], -0.2, 0.2), this.weight(`bn${n}.var`, [c], 0.5, 1.5),
    ], [attr.float('epsilon', 1e-5)]);
  }

  gemm(x: string, inF: number, outF: number): string {
    const n = ++this.count;
    const scale = Math.sqrt(6 / inF);
    return this.node('Gemm', [x, this.weight(`fc${n}.w`, [outF, inF], -scale, scale), this.weight(`fc${n}.b`, [outF], -0.1, 0.1)], [attr.int('transB', 1)]);
  }

  /** The PyTorch `x.view(x.size(0), -1)` subgraph: Shape → Gather → Unsqueeze → Concat → Reshape. */
  viewFlatten(x: string): string {
    const shape = this.node('Shape', [x]);
    const batch = this.node('Gather', [shape, this.ints(`idx${++this.count}`, [0], [])], [attr.int('axis', 0)]);
    const unsq = this.opset >= 13
      ? this.node('Unsqueeze', [batch, this.ints(`axes${++this.count}`, [0])])
      : this.node('Unsqueeze', [batch], [attr.ints('axes', [0])]);
    const minus1 = this.node('Constant', [], [attr.tensor('value', int64Tensor('', [1], [-1]))]);
    const target = this.node('Concat', [unsq, minus1], [attr.int('axis', 0)]);
    return this.node('Reshape', [x, target]);
  }

  encode(inputs: Array<{ name: string; dims: Array<number | string> }>, outputs: string[], opts: { initializersAsInputs?: boolean } = {}): Uint8Array {
    const tensorType = (dims?: Array<number | string>) => ({
      tensorType: { elemType: T.FLOAT, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) },
    });
    const asInputs = opts.initializersAsInputs
      ? this.initializers.map((t) => ({ name: t.name!, type: { tensorType: { elemType: t.dataType!, shape: { dim: t.dims!.map((d) => ({ dimValue: d })) } } } }))
      : [];
    const model = onnx.ModelProto.create({
      irVersion: opts.initializersAsInputs ? 3 : 7,
      opsetImport: [{ domain: '', version: this.opset }],
      producerName: 'wasmconv-test',
      graph: {
        name: 'test',
        node: this.nodes,
        initializer: this.initializers,
        input: [...inputs.map((i) => ({ name: i.name, type: tensorType(i.dims) })), ...asInputs],
        output: outputs.map((name) => ({ name, type: tensorType() })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** A small ResNet: Conv+BN+ReLU stem, MaxPool 3×3/2 padding 1 (torchvision's), a basic block, a downsampling block with a 1×1 shortcut, GAP, Flatten, Gemm. */
export function resnetModel(seed: number, opset = 13): Uint8Array {
  const b = new OnnxBuilder(seed, opset);
  const pad1 = [attr.ints('pads', [1, 1, 1, 1])];
  let h = b.node('Relu', [b.batchNorm(b.conv('x', 3, 8, 3, pad1), 8)]);
  h = b.node('MaxPool', [h], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])]);
  // basic block
  let r = b.node('Relu', [b.batchNorm(b.conv(h, 8, 8, 3, pad1), 8)]);
  r = b.batchNorm(b.conv(r, 8, 8, 3, pad1), 8);
  h = b.node('Relu', [b.node('Add', [r, h])]);
  // downsampling block: stride 2, 1×1 conv + BN shortcut
  const s2 = [attr.ints('strides', [2, 2])];
  r = b.node('Relu', [b.batchNorm(b.conv(h, 8, 16, 3, [...pad1, ...s2]), 16)]);
  r = b.batchNorm(b.conv(r, 16, 16, 3, pad1), 16);
  const shortcut = b.batchNorm(b.conv(h, 8, 16, 1, s2), 16);
  h = b.node('Relu', [b.node('Add', [r, shortcut])]);
  h = b.node('Flatten', [b.node('GlobalAveragePool', [h])], [attr.int('axis', 1)]);
  const y = b.gemm(h, 16, 10);
  return b.encode([{ name: 'x', dims: ['N', 3, 16, 16] }], [y]);
}

/** LeNet: Conv+ReLU+MaxPool twice, then the given flatten, Gemm, ReLU, Gemm, ReLU, MatMul + Add. */
export function lenetModel(seed: number, opts: { opset?: number; view?: boolean; initializersAsInputs?: boolean } = {}): Uint8Array {
  const b = new OnnxBuilder(seed, opts.opset ?? 13);
  const pool = [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])];
  let h = b.node('MaxPool', [b.node('Relu', [b.conv('x', 1, 6, 5, [], { bias: true })])], pool);
  h = b.node('MaxPool', [b.node('Relu', [b.conv(h, 6, 16, 5, [], { bias: true })])], pool);
  h = opts.view ? b.viewFlatten(h) : b.node('Flatten', [h]);
  h = b.node('Relu', [b.gemm(h, 256, 120)]);
  h = b.node('Relu', [b.gemm(h, 120, 84)]);
  const m = b.node('MatMul', [h, b.weight('head.w', [84, 10], -0.3, 0.3)]);
  const y = b.node('Add', [m, b.weight('head.b', [10], -0.1, 0.1)], [], ['logits']);
  return b.encode([{ name: 'x', dims: ['batch', 1, 28, 28] }], [y], { initializersAsInputs: opts.initializersAsInputs });
}

const require = createRequire(import.meta.url);
let ortReady = false;

/** Runs a model in onnxruntime-web (wasm backend, one thread) on one float32 input. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: readonly number[] }>): Promise<Record<string, Float32Array>> {
  if (!ortReady) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web')) + '/';
    ort.env.logLevel = 'error';
    ortReady = true;
  }
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, [...v.shape])]));
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

/** max |a − b| and max |b|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { diff, scale };
}

/**
 * Imports `bytes` and runs it in eval mode on a seeded x of `shape`: its output 'y' must be
 * onnxruntime-web's within `relative`·max |y| (float32 rounding of two summation orders).
 */
export async function expectImportMatchesOrt(bytes: Uint8Array, shape: number[], seed: number, relative = 1e-4): Promise<void> {
  const x = { data: randomData(product(shape), seededRandom(seed)), shape };
  const model = nn.fromONNX(bytes);
  try {
    const ours = model.eval().run({ x }).y.data;
    const ref = (await runOrt(bytes, { x })).y;
    expect(ours.length).toBe(ref.length);
    const { diff, scale } = maxDiff(ours, ref);
    expect(scale).toBeGreaterThan(0);
    expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(relative * scale);
  } finally {
    model.dispose();
  }
}

/**
 * The rest of the supported attributes in one model: SAME_UPPER, asymmetric pads, grouped and
 * depthwise convs with dilation, Concat, Dropout (ratio input), Identity, AveragePool with and
 * without count_include_pad and with ceil_mode, a BatchNormalization that cannot fold (its Conv's
 * output has two readers) and one after an Add, a Gemm whose weight is a Constant node (transB 0).
 */
export function zooModel(seed: number, opset = 13, dims: Array<number | string> = ['N', 4, 12, 10]): Uint8Array {
  const b = new OnnxBuilder(seed, opset);
  const b1 = b.node('Relu', [b.conv('x', 4, 6, 3, [attr.string('auto_pad', 'SAME_UPPER'), attr.ints('strides', [2, 2])], { bias: true })]);
  const b2 = b.conv('x', 4, 8, 3, [attr.ints('pads', [1, 0, 1, 2]), attr.ints('strides', [2, 2])], { group: 2 });
  const b3 = b.conv('x', 4, 4, 3, [attr.ints('pads', [2, 2, 2, 2]), attr.ints('strides', [2, 2]), attr.ints('dilations', [2, 2])], { group: 4, bias: true });
  const c = b.node('Concat', [b1, b2, b3], [attr.int('axis', 1)]);
  const e = b.node('Identity', [opset >= 12 ? b.node('Dropout', [c, b.weight('ratio', [], 0.3, 0.3)]) : b.node('Dropout', [c], [attr.float('ratio', 0.3)])]);
  const pool3 = [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])];
  const s = b.node('Add', [b.node('AveragePool', [e], pool3), b.node('AveragePool', [e], [...pool3, attr.int('count_include_pad', 1)])]);
  const f = b.conv(s, 18, 8, 1, [], { bias: true });
  const g = b.node('Add', [b.batchNorm(f, 8), b.node('Relu', [f])]);
  const h = b.batchNorm(g, 8);
  const q = b.node('AveragePool', [h], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2]), attr.int('ceil_mode', 1)]);
  const w = b.node('Constant', [], [attr.tensor('value', floatTensor('', [72, 5], randomData(360, seededRandom(seed + 1))))]);
  const y = b.node('Gemm', [b.node('Flatten', [q]), w, b.weight('fc.b', [5], -0.1, 0.1)]);
  return b.encode([{ name: 'x', dims }], [y]);
}
