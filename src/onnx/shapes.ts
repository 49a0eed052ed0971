// Static shape inference and constant folding. Dims are numbers or symbols (a dim_param such as
// the batch, or '?' for a size the model leaves open): a symbol survives Shape → Gather →
// Unsqueeze → Concat, so the shape subgraph PyTorch writes for `x.view(x.size(0), -1)` folds to
// [N, -1] and the Reshape is recognised as a Flatten.
import type { Attributes, Constant, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';

export const UNKNOWN = '?';

export const sizeOfDims = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The product of dims when all are numbers, else null. */
export function knownProduct(dims: readonly Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

/** Whether two shapes may be equal: unknown dims may be anything, symbols equal themselves. */
export function mayBeEqual(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i] || d === UNKNOWN || b[i] === UNKNOWN ||
    (typeof d === 'string' && typeof b[i] === 'string'));
}

export const formatDims = (dims: readonly Dim[]): string => `[${dims.join(',')}]`;

/** Output length of a conv or pool axis with explicit padding (floor, or ceil as PyTorch/ONNX round it). */
export function windowOutput(size: Dim, kernel: number, stride: number, dilation: number, begin: number, end: number, ceil = false): Dim {
  if (typeof size !== 'number') return UNKNOWN;
  const span = size + begin + end - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + begin) out--; // a last window may not start in the end padding
  return out;
}

/**
 * [top, left, bottom, right] padding from auto_pad and pads, as ONNX defines it. SAME_UPPER puts
 * the odd pixel after; it needs the input size unless the stride is 1. Returns a message on failure.
 */
export function explicitPads(
  autoPad: string, pads: number[] | null, kernel: number[], strides: number[], dilations: number[], sizes: Dim[],
): number[] | string {
  if (autoPad === 'NOTSET') {
    const p = pads ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) return `pads must be 4 non-negative integers, got [${p}]`;
    return p;
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER') {
    const out: number[] = [0, 0, 0, 0];
    for (let a = 0; a < 2; a++) {
      const effective = dilations[a] * (kernel[a] - 1) + 1;
      const size = sizes[a];
      let total: number;
      if (strides[a] === 1) total = effective - 1;
      else if (typeof size === 'number') total = Math.max((Math.ceil(size / strides[a]) - 1) * strides[a] + effective - size, 0);
      else return `auto_pad SAME_UPPER with stride ${strides[a]} needs the input's spatial size, which the model leaves open`;
      out[a] = Math.floor(total / 2);
      out[a + 2] = total - out[a];
    }
    return out;
  }
  return `auto_pad '${autoPad}' is not supported (NOTSET, SAME_UPPER and VALID are)`;
}

/** An integer constant's values as numbers, or null if one of them is a symbol. */
export function numbersOf(c: Constant): number[] | null {
  const values = Array.from(c.data as ArrayLike<Dim>);
  return values.every((v) => typeof v === 'number') ? (values as number[]) : null;
}

/** Shape(x) with opset 15's start/end: the dims as a 1-D integer constant. */
export function foldShape(dims: readonly Dim[], start: number, end: number | null): Constant {
  const r = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const data = dims.slice(clamp(start), end === null ? r : clamp(end));
  return { kind: 'int', dims: [data.length], data };
}

/** Gather along axis 0 of a 1-D integer constant; returns null when the indices are out of range. */
export function foldGather(data: Constant & { kind: 'int' }, indices: number[], indexDims: number[]): Constant | null {
  const n = data.data.length;
  const picked: Dim[] = [];
  for (const i of indices) {
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) return null;
    picked.push(data.data[j]);
  }
  return { kind: 'int', dims: indexDims, data: picked };
}

/** Unsqueeze: the same values with 1s inserted at axes (of the output's rank). */
export function unsqueezedDims(dims: number[], axes: number[]): number[] | null {
  const rank = dims.length + axes.length;
  const normal = axes.map((a) => (a < 0 ? a + rank : a));
  if (normal.some((a) => a < 0 || a >= rank) || new Set(normal).size !== normal.length) return null;
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(normal.includes(i) ? 1 : dims[k++]);
  return out;
}

/** The integer element types a Cast may fold to, with their ranges (BOOL: any nonzero value is 1). */
const INT_RANGES: Record<string, [number, number]> = {
  INT64: [-(2 ** 63), 2 ** 63], INT32: [-(2 ** 31), 2 ** 31 - 1], INT16: [-32768, 32767], INT8: [-128, 127],
  UINT64: [0, 2 ** 64], UINT32: [0, 2 ** 32 - 1], UINT16: [0, 65535], UINT8: [0, 255], BOOL: [-Infinity, Infinity],
};

/**
 * Cast of a constant to `to` (a TensorProto data type's name): FLOAT, or an integer type (floats
 * toward zero, as ONNX converts them; BOOL: nonzero is 1). Symbols (the batch) stay symbols in an
 * integer cast. A value the target cannot hold is a message, never a wrapped or saturated value.
 */
export function foldCast(c: Constant, to: string): Constant | string {
  const values = Array.from(c.data as ArrayLike<Dim>);
  if (to === 'FLOAT') {
    const symbol = values.find((v) => typeof v !== 'number');
    if (symbol !== undefined) return `Cast to FLOAT of a dim only known at run time ('${symbol}') is not supported`;
    return { kind: 'float', dims: c.dims, data: Float32Array.from(values as number[]) };
  }
  const range = INT_RANGES[to];
  if (!range) return `Cast to ${to} is not supported (only FLOAT and the integer types, on constants)`;
  const data: Dim[] = [];
  for (const v of values) {
    if (typeof v !== 'number') {
      if (to === 'BOOL') return `Cast to BOOL of a dim only known at run time ('${v}') is not supported`;
      data.push(v);
      continue;
    }
    const w = to === 'BOOL' ? Number(v !== 0) : Math.trunc(v);
    if (!(w >= range[0] && w <= range[1])) return `Cast to ${to}: the value ${v} does not fit`;
    data.push(w);
  }
  return { kind: 'int', dims: c.dims, data };
}

/** A 2-D op's pair attribute (strides, dilations, output_padding): `fallback` twice when absent, else 2 integers ≥ `min`. */
export function pairAttr(ctx: NodeContext, attrs: Attributes, name: string, fallback: number, min = 1): [number, number] {
  const v = attrs.ints(name) ?? [fallback, fallback];
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < min)) {
    throw nodeError(ctx, `${name} must be 2 ${min === 1 ? 'positive' : 'non-negative'} integers (a 2-D op), got [${v}]`);
  }
  return [v[0], v[1]];
}
