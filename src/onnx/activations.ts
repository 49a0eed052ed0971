// The element-wise activations in ONNX, both ways, kept in one file: import handlers for Sigmoid,
// Tanh, LeakyRelu, HardSigmoid, HardSwish and Clip, the x·Sigmoid(x) and x·HardSigmoid(x) Mul
// patterns that exports write for SiLU and (before opset 14) HardSwish, and the nodes toONNX
// writes for each layer. Export stays within opset 13: SiLU as Sigmoid + Mul, HardSwish as
// HardSigmoid(1/6, 1/2) + Mul, ReLU6 as Clip(0, 6); the importer fuses them back into one layer
// computing the same float32 operations, so a round trip gives the same bits.
import type { onnx as Onnx } from 'onnx-proto';
import {
  Clip, FLOAT32_MAX, HardSigmoid, HardSwish, LeakyReLU, ReLU6, Sigmoid, SiLU, Tanh,
} from '../nn/layers/activations.js';
import type { LayerSpec } from '../nn/layer.js';
import { AttrType, DataType, type Attributes } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims } from './shapes.js';
import type { ImportState, PlannedNode } from './state.js';

type Handler = (s: ImportState, ctx: NodeContext, attrs: Attributes) => void;

/** Planned Sigmoid and HardSigmoid(1/6, 1/2) nodes: a Mul of their input by them fuses. */
const gates = new WeakMap<PlannedNode, 'SiLU' | 'HardSwish'>();

/** HardSwish's gate as float32 attributes hold it. */
const SIXTH = Math.fround(1 / 6);

function sigmoid(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const x = s.runtime(ctx, 0);
  gates.set(s.plan(ctx, [x.tensor], x.dims, () => new Sigmoid()), 'SiLU');
}

function tanh(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const x = s.runtime(ctx, 0);
  s.plan(ctx, [x.tensor], x.dims, () => new Tanh());
}

function leakyRelu(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('alpha');
  const x = s.runtime(ctx, 0);
  const alpha = attrs.float('alpha', 0.01);
  if (!Number.isFinite(alpha)) throw nodeError(ctx, `alpha must be finite, got ${alpha}`);
  s.plan(ctx, [x.tensor], x.dims, () => new LeakyReLU(alpha));
}

function hardSigmoid(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('alpha', 'beta');
  const x = s.runtime(ctx, 0);
  const alpha = attrs.float('alpha', 0.2), beta = attrs.float('beta', 0.5);
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw nodeError(ctx, `alpha and beta must be finite, got ${alpha} and ${beta}`);
  const node = s.plan(ctx, [x.tensor], x.dims, () => new HardSigmoid({ alpha, beta }));
  if (alpha === SIXTH && beta === 0.5) gates.set(node, 'HardSwish');
}

function hardSwish(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  if (ctx.opset < 14) throw nodeError(ctx, 'HardSwish is an opset-14 operator');
  const x = s.runtime(ctx, 0);
  s.plan(ctx, [x.tensor], x.dims, () => new HardSwish());
}

/** A bound of Clip (opset 11+: an optional input): a float32 scalar constant, or `fallback` when absent. */
function clipBound(s: ImportState, ctx: NodeContext, index: number, what: string, fallback: number): number {
  const c = s.constant(ctx, index);
  if (!c) return fallback;
  if (c.kind !== 'float' || c.data.length !== 1 || c.dims.length > 1) {
    throw nodeError(ctx, `${what} (input ${index}) must be a float32 scalar, got ${c.kind} ${formatDims(c.dims)}`);
  }
  const v = c.data[0];
  if (Number.isNaN(v)) throw nodeError(ctx, `${what} (input ${index}) is NaN`);
  return Math.min(Math.max(v, -FLOAT32_MAX), FLOAT32_MAX);
}

function clip(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const x = s.runtime(ctx, 0);
  const min = clipBound(s, ctx, 1, 'min', -FLOAT32_MAX), max = clipBound(s, ctx, 2, 'max', FLOAT32_MAX);
  if (!(min <= max)) throw nodeError(ctx, `min ${min} is greater than max ${max}`);
  s.plan(ctx, [x.tensor], x.dims, () => (min === 0 && max === 6 ? new ReLU6() : new Clip(min, max)));
}

/**
 * Mul(x, Sigmoid(x)) → SiLU and Mul(x, HardSigmoid(1/6, 1/2)(x)) → HardSwish (either operand
 * order), when nothing else reads the gate: replaces the planned gate by the fused layer and
 * returns true; false for any other Mul (left to the general one, arithmetic.ts).
 */
export function fuseGatedMul(s: ImportState, ctx: NodeContext): boolean {
  const [a, b] = ctx.node.input ?? [];
  if (!a || !b || ctx.node.input!.length !== 2 || s.constants.has(a) || s.constants.has(b)) return false;
  for (const [data, gate] of [[a, b], [b, a]]) {
    const node = s.aliases.has(gate) ? undefined : s.byTensor.get(gate);
    const kind = node && gates.get(node);
    if (!node || !kind || s.usesOf(gate) !== 1 || node.inputs[0] !== s.resolve(data)) continue;
    s.planned.splice(s.planned.indexOf(node), 1);
    s.byTensor.delete(gate);
    const dims = s.dims.get(gate)!;
    s.dims.delete(gate);
    s.plan(ctx, [node.inputs[0]], dims, () => (kind === 'SiLU' ? new SiLU() : new HardSwish()));
    return true;
  }
  return false;
}

export const ACTIVATION_HANDLERS: Record<string, Handler> = {
  Sigmoid: sigmoid,
  Tanh: tanh,
  LeakyRelu: leakyRelu,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Clip: clip,
};

/** Where toONNX collects nodes and initializers. */
export interface OnnxSink {
  readonly nodes: Onnx.INodeProto[];
  readonly initializers: Onnx.ITensorProto[];
}

const floatAttr = (name: string, f: number): Onnx.IAttributeProto => ({ name, type: AttrType.FLOAT, f });

function scalar(name: string, value: number): Onnx.ITensorProto {
  return { name, dims: [], dataType: DataType.FLOAT, rawData: new Uint8Array(Float32Array.of(value).buffer) };
}

/**
 * The node(s) computing `name` from `input` for an activation layer's spec (opset 13); false
 * for a spec that is not one of these activations.
 */
export function exportActivation(sink: OnnxSink, name: string, spec: LayerSpec, inputs: readonly string[]): boolean {
  const node = (opType: string, input: string[], output: string, attribute: Onnx.IAttributeProto[] = []) =>
    sink.nodes.push({ name: output, opType, input, output: [output], attribute });
  const x = inputs[0];
  switch (spec.type) {
    case 'Sigmoid': node('Sigmoid', [x], name); return true;
    case 'Tanh': node('Tanh', [x], name); return true;
    case 'LeakyReLU': node('LeakyRelu', [x], name, [floatAttr('alpha', spec.negativeSlope)]); return true;
    case 'HardSigmoid': node('HardSigmoid', [x], name, [floatAttr('alpha', spec.alpha), floatAttr('beta', spec.beta)]); return true;
    case 'ReLU6':
    case 'Clip': {
      const [lo, hi] = spec.type === 'ReLU6' ? [0, 6] : [spec.min, spec.max];
      sink.initializers.push(scalar(`${name}.min`, lo), scalar(`${name}.max`, hi));
      node('Clip', [x, `${name}.min`, `${name}.max`], name);
      return true;
    }
    case 'SiLU':
      node('Sigmoid', [x], `${name}.sigmoid`);
      node('Mul', [x, `${name}.sigmoid`], name);
      return true;
    case 'HardSwish':
      node('HardSigmoid', [x], `${name}.gate`, [floatAttr('alpha', 1 / 6), floatAttr('beta', 0.5)]);
      node('Mul', [x, `${name}.gate`], name);
      return true;
    default:
      return false;
  }
}
