// Add, Sub, Mul and Div (numpy broadcasting, as ONNX defines it since opset 7):
//   - two constants: folded (shape arithmetic such as the Div/Mul that `chunk` exports write);
//   - a computed x [N, C, …] and a scalar or per-channel constant ([C,1,1], [1,C,1,1], [C] for
//     x [N, C]): a ChannelAffine, y = x·scale[c] + shift[c] (Div by c as the factor 1/c, rounded
//     once: within float32 rounding of x/c); a constant Add right after a MatMul is its bias;
//   - two computed tensors: Add and Mul of the same shape, and Mul by a [N, C, 1, 1] gate (SE
//     blocks) on either side; x·Sigmoid(x) and x·HardSigmoid(x) fuse into SiLU / HardSwish first
//     (activations.ts).
// Anything else (broadcasting along other axes, c − x where c is computed, Div of two computed
// tensors) is an Error naming the node.
import type { AnyLayer } from '../nn/graph/definition.js';
import { Add } from '../nn/layers/add.js';
import { ChannelAffine } from '../nn/layers/channel-affine.js';
import { Mul } from '../nn/layers/mul.js';
import { fuseGatedMul } from './activations.js';
import type { Attributes, Constant, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims, mayBeEqual } from './shapes.js';
import type { ImportState } from './state.js';

type Op = 'Add' | 'Sub' | 'Mul' | 'Div';

const APPLY: Record<Op, (a: number, b: number, integer: boolean) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, integer) => (integer ? Math.trunc(a / b) : a / b),
};

/** numpy's broadcast shape of two shapes, or null when they do not broadcast. */
function broadcastDims(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1, y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The element of a row-major tensor of `dims` that broadcasts to index `flat` of `out`. */
function broadcastIndex(flat: number, out: readonly number[], dims: readonly number[]): number {
  let index = 0, stride = 1;
  for (let i = out.length - 1, j = dims.length - 1; i >= 0; i--, j--) {
    const coordinate = flat % out[i];
    flat = Math.floor(flat / out[i]);
    if (j >= 0) {
      if (dims[j] !== 1) index += coordinate * stride;
      stride *= dims[j];
    }
  }
  return index;
}

function fold(s: ImportState, ctx: NodeContext, op: Op, a: Constant, b: Constant): void {
  if (a.kind !== b.kind) throw nodeError(ctx, `${op} of a float and an integer constant is not supported`);
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims) throw nodeError(ctx, `the constants ${formatDims(a.dims)} and ${formatDims(b.dims)} do not broadcast`);
  const values = (c: Constant): number[] => {
    const v = Array.from(c.data as ArrayLike<Dim>);
    if (v.some((d) => typeof d !== 'number')) throw nodeError(ctx, `${op} of a symbolic dimension (${v.join(',')}) is not supported`);
    return v as number[];
  };
  const x = values(a), y = values(b);
  const count = dims.reduce((p, d) => p * d, 1);
  const data = Array.from({ length: count }, (_, i) => APPLY[op](x[broadcastIndex(i, dims, a.dims)], y[broadcastIndex(i, dims, b.dims)], a.kind === 'int'));
  s.constants.set(s.output(ctx), a.kind === 'float' ? { kind: 'float', dims, data: Float32Array.from(data) } : { kind: 'int', dims, data });
}

/**
 * A constant's values per channel of x (rank ≥ 2): one value (a scalar, or all dims 1), or one per
 * channel when, aligned to x's rank, every dim but axis 1 is 1. Null otherwise.
 */
function perChannel(c: Constant & { kind: 'float' }, xDims: readonly Dim[]): Float32Array | null {
  if (c.dims.length > xDims.length) return null;
  if (c.data.length === 1) return Float32Array.of(c.data[0]);
  const aligned = [...new Array(xDims.length - c.dims.length).fill(1), ...c.dims];
  if (!aligned.every((d, i) => (i === 1 ? d === xDims[1] : d === 1))) return null;
  return Float32Array.from(c.data);
}

/** The bias of the MatMul's Linear that produced `data`, when this Add is that bias; else false. */
function matMulBias(s: ImportState, ctx: NodeContext, data: string, biasIndex: number): boolean {
  const linear = !s.aliases.has(data) ? s.byTensor.get(data)?.linear : undefined;
  if (!linear || linear.bias || s.usesOf(data) !== 1 || s.constants.has(data)) return false;
  const bias = s.floats(ctx, biasIndex, 'the bias');
  const O = linear.outFeatures;
  if (!(bias.dims.length === 1 && bias.dims[0] === O) && !(bias.dims.length === 2 && bias.dims[0] === 1 && bias.dims[1] === O)) return false;
  linear.bias = Float32Array.from(bias.data);
  s.alias(ctx, data);
  return true;
}

function withConstant(s: ImportState, ctx: NodeContext, op: Op, constIndex: number): void {
  const dataIndex = 1 - constIndex;
  const data = ctx.node.input![dataIndex];
  if (op === 'Add' && matMulBias(s, ctx, data, constIndex)) return;
  const x = s.runtime(ctx, dataIndex);
  const c = s.constant(ctx, constIndex)!;
  if (c.kind !== 'float') throw nodeError(ctx, `the constant (input ${constIndex}) must be float32 to combine with computed data`);
  if (x.dims.length < 2) throw nodeError(ctx, `only data of rank ≥ 2 ([N, C, …]) is supported, got ${formatDims(x.dims)}`);
  const values = perChannel(c, x.dims);
  if (!values) {
    throw nodeError(ctx, `only ${op} by a scalar or per-channel constant ([C,1,1], [1,C,1,1]; [C] for x [N,C]) is supported, got ${formatDims(c.dims)} for x ${formatDims(x.dims)}`);
  }
  if (op === 'Div' && constIndex === 0) throw nodeError(ctx, 'Div of a constant by computed data (a reciprocal) is not supported');
  const C = values.length;
  const ones = () => new Float32Array(C).fill(1);
  let scale: Float32Array, shift: Float32Array;
  if (op === 'Mul') [scale, shift] = [values, new Float32Array(C)];
  else if (op === 'Add') [scale, shift] = [ones(), values];
  else if (op === 'Sub') [scale, shift] = constIndex === 1 ? [ones(), values.map((v) => -v)] : [new Float32Array(C).fill(-1), values];
  else [scale, shift] = [Float32Array.from(values, (v) => 1 / v), new Float32Array(C)];
  // x·s then + t (a Mul by a constant, then an Add or Sub of one, as nn.toONNX writes a ChannelAffine): one layer
  const producer = !s.aliases.has(data) ? s.byTensor.get(data)?.affine : undefined;
  if (producer && (op === 'Add' || (op === 'Sub' && constIndex === 1)) && producer.scale.length === C && producer.shift.every((v) => v === 0) && s.usesOf(data) === 1) {
    producer.shift = shift;
    s.alias(ctx, x.tensor);
    return;
  }
  const rank = x.dims.length;
  const affine = { scale, shift };
  s.plan(ctx, [x.tensor], x.dims, () => new ChannelAffine(C, { scale: affine.scale, shift: affine.shift, rank }), { affine });
}

function bothComputed(s: ImportState, ctx: NodeContext, op: Op): void {
  if (op === 'Mul' && fuseGatedMul(s, ctx)) return; // x·Sigmoid(x) → SiLU, x·HardSigmoid(x) → HardSwish
  const a = s.runtime(ctx, 0), b = s.runtime(ctx, 1);
  const make = (layer: () => AnyLayer, inputs: [string, string], dims: Dim[]) => s.plan(ctx, inputs, dims, layer);
  if ((op === 'Add' || op === 'Mul') && mayBeEqual(a.dims, b.dims)) {
    make(() => (op === 'Add' ? new Add() : new Mul()), [a.tensor, b.tensor], a.dims);
    return;
  }
  if (op === 'Mul') {
    // a [N, C, 1, 1] gate on either side: the full tensor goes first
    const gate = (full: Dim[], g: Dim[]) => full.length >= 3 && g.length === full.length && mayBeEqual(g.slice(0, 2), full.slice(0, 2)) && g.slice(2).every((d) => d === 1);
    if (gate(a.dims, b.dims)) return void make(() => new Mul(), [a.tensor, b.tensor], a.dims);
    if (gate(b.dims, a.dims)) return void make(() => new Mul(), [b.tensor, a.tensor], b.dims);
  }
  const supported = op === 'Add' ? 'two tensors of the same shape' : op === 'Mul' ? 'two tensors of the same shape, or by a [N,C,1,1] gate' : 'computed data and a scalar or per-channel constant';
  throw nodeError(ctx, `only ${op} of ${supported} is supported, got ${formatDims(a.dims)} and ${formatDims(b.dims)}`);
}

function arithmetic(op: Op) {
  return (s: ImportState, ctx: NodeContext, attrs: Attributes): void => {
    attrs.only();
    const inputs = ctx.node.input ?? [];
    if (inputs.length !== 2) throw nodeError(ctx, `${op} takes 2 inputs, got ${inputs.length}`);
    const [constA, constB] = inputs.map((i) => s.constants.has(i));
    if (constA && constB) fold(s, ctx, op, s.constant(ctx, 0)!, s.constant(ctx, 1)!);
    else if (constA || constB) withConstant(s, ctx, op, constA ? 0 : 1);
    else bothComputed(s, ctx, op);
  };
}

export const ARITHMETIC_HANDLERS = {
  Add: arithmetic('Add'),
  Sub: arithmetic('Sub'),
  Mul: arithmetic('Mul'),
  Div: arithmetic('Div'),
};
