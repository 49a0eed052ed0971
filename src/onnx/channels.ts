// Operators that pick or average over axes: ReduceMean over H, W (a GlobalAvgPool2d, then a
// Flatten without keepdims), Transpose where it leaves the dims as they are (a no-op) or is a
// channel shuffle (shuffle.ts), Slice and Split along the channels (ChannelSlice layers).
import { Flatten } from '../nn/flatten.js';
import { ChannelSlice } from '../nn/layers/channel-slice.js';
import { GlobalAvgPool2d } from '../nn/layers/global-avgpool.js';
import type { Attributes, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims, numbersOf } from './shapes.js';
import { transposeChannelGroups } from './shuffle.js';
import type { ImportState } from './state.js';

/** Integer values from an attribute (before `opset`) or a constant input (from it), or null when absent. */
function intsFrom(s: ImportState, ctx: NodeContext, attrs: Attributes, name: string, index: number, inputFrom: number): number[] | null {
  if (ctx.opset < inputFrom) return attrs.ints(name);
  const c = s.constant(ctx, index);
  if (!c) return null;
  const values = c.kind === 'int' ? numbersOf(c) : null;
  if (!values) throw nodeError(ctx, `${name} (input ${index}) must be an integer constant`);
  return values;
}

const normalAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function reduceMean(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axes', 'keepdims', 'noop_with_empty_axes');
  const x = s.runtime(ctx, 0);
  const axes = intsFrom(s, ctx, attrs, 'axes', 1, 18);
  if (attrs.int('noop_with_empty_axes', 0) !== 0) throw nodeError(ctx, 'noop_with_empty_axes 1 is not supported');
  const over = new Set((axes ?? []).map((a) => normalAxis(a, x.dims.length)));
  if (x.dims.length !== 4 || over.size !== 2 || !over.has(2) || !over.has(3) || axes!.length !== 2) {
    throw nodeError(ctx, `only ReduceMean over H and W of x [N,C,H,W] (axes [2,3]) is supported, got axes ${axes ? `[${axes}]` : '(all)'} for x ${formatDims(x.dims)}`);
  }
  const keepdims = attrs.int('keepdims', 1);
  if (keepdims !== 0 && keepdims !== 1) throw nodeError(ctx, `keepdims must be 0 or 1, got ${keepdims}`);
  const [N, C] = x.dims;
  if (keepdims) {
    s.plan(ctx, [x.tensor], [N, C, 1, 1], () => new GlobalAvgPool2d());
    return;
  }
  // the pooled [N, C, 1, 1] under a name of its own, then the output [N, C]
  const pooled = `${s.output(ctx)}::pooled`;
  s.planned.push({ name: pooled, inputs: [x.tensor], make: () => new GlobalAvgPool2d() });
  s.dims.set(pooled, [N, C, 1, 1]);
  s.plan(ctx, [pooled], [N, C], () => new Flatten());
}

function transpose(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('perm');
  if (s.groupedViews.has(ctx.node.input?.[0] ?? '')) return transposeChannelGroups(s, ctx, attrs.ints('perm'));
  const x = s.runtime(ctx, 0);
  const rank = x.dims.length;
  const perm = attrs.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const valid = perm.length === rank && new Set(perm).size === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (!valid) throw nodeError(ctx, `perm [${perm}] is not a permutation of x's ${rank} axes`);
  // a no-op: the dims stay as they are (the identity, or swapping axes of size 1)
  const dims = perm.map((p) => x.dims[p]);
  if (!dims.every((d, i) => d === x.dims[i])) {
    throw nodeError(ctx, `only Transpose that leaves the dims as they are (a no-op) is supported, got perm [${perm}] for x ${formatDims(x.dims)}`);
  }
  s.alias(ctx, x.tensor);
}

/** Plans channels [start, start + count) of x as the node's output `output`. */
function planSlice(s: ImportState, ctx: NodeContext, x: { tensor: string; dims: Dim[] }, output: string, start: number, count: number): void {
  const dims = [x.dims[0], count, ...x.dims.slice(2)];
  if (start === 0 && count === x.dims[1]) {
    s.aliases.set(output, x.tensor);
    return;
  }
  s.planned.push({ name: output, inputs: [x.tensor], make: () => new ChannelSlice(start, count) });
  s.dims.set(output, dims);
}

/** x's channel count, which Slice and Split need. */
function channelsOf(ctx: NodeContext, dims: Dim[]): number {
  if (dims.length < 2 || typeof dims[1] !== 'number') throw nodeError(ctx, `x must be [N, C, …] with a known channel count, got ${formatDims(dims)}`);
  return dims[1];
}

function slice(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axes', 'ends', 'starts');
  const x = s.runtime(ctx, 0);
  const C = channelsOf(ctx, x.dims);
  const starts = intsFrom(s, ctx, attrs, 'starts', 1, 10), ends = intsFrom(s, ctx, attrs, 'ends', 2, 10);
  const axes = intsFrom(s, ctx, attrs, 'axes', 3, 10) ?? starts?.map((_, i) => i) ?? null;
  const steps = ctx.node.input?.[4] ? intsFrom(s, ctx, attrs, 'steps', 4, 10) : null;
  if (!starts || !ends || !axes || starts.length !== 1 || ends.length !== 1 || axes.length !== 1 || normalAxis(axes[0], x.dims.length) !== 1) {
    throw nodeError(ctx, `only Slice along the channels (one axis, 1) is supported, got axes ${axes ? `[${axes}]` : '(none)'}`);
  }
  if (steps && (steps.length !== 1 || steps[0] !== 1)) throw nodeError(ctx, `only step 1 is supported, got steps [${steps}]`);
  // ONNX clamps the bounds to [0, C] after adding C to negative ones (ends may be INT64_MAX)
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + C : v, 0), C);
  const start = clamp(starts[0]), end = clamp(ends[0]);
  if (end <= start) throw nodeError(ctx, `the slice [${starts[0]}, ${ends[0]}) of ${C} channels is empty`);
  planSlice(s, ctx, x, s.output(ctx), start, end - start);
}

function split(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axis', 'num_outputs', 'split');
  const x = s.runtime(ctx, 0);
  const C = channelsOf(ctx, x.dims);
  const axis = normalAxis(attrs.int('axis', 0), x.dims.length);
  if (axis !== 1) throw nodeError(ctx, `only Split along the channels (axis 1) is supported, got axis ${attrs.int('axis', 0)}`);
  const outputs = ctx.node.output ?? [];
  let sizes = ctx.opset >= 13 ? (ctx.node.input?.[1] ? intsFrom(s, ctx, attrs, 'split', 1, 13) : null) : attrs.ints('split');
  if (!sizes) {
    // equal parts (opset 18: num_outputs, the last one smaller if C does not divide)
    const parts = attrs.has('num_outputs') ? attrs.int('num_outputs', 0) : outputs.length;
    const size = Math.ceil(C / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(size, C - i * size));
  }
  if (sizes.length !== outputs.length || sizes.some((v) => !(v >= 1)) || sizes.reduce((a, b) => a + b, 0) !== C) {
    throw nodeError(ctx, `split sizes [${sizes}] must be ${outputs.length} positive counts adding up to the ${C} channels`);
  }
  let start = 0;
  sizes.forEach((count, i) => {
    if (outputs[i]) planSlice(s, ctx, x, outputs[i], start, count);
    start += count;
  });
}

export const CHANNEL_HANDLERS = {
  ReduceMean: reduceMean,
  Transpose: transpose,
  Slice: slice,
  Split: split,
};
