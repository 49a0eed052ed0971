// ShuffleNet's channel shuffle as PyTorch exports it: Reshape x [N, C, H, W] → [N, g, C/g, H, W],
// Transpose perm [0, 2, 1, 3, 4], Reshape back to [N, C, H, W]. The 5-D tensors are views the
// importer tracks (no layer); the Transpose of a view becomes a ChannelShuffle, the Reshape back an
// alias. A view read by anything else is an Error (ImportState.runtime).
import { ChannelShuffle } from '../nn/layers/channel-shuffle.js';
import type { Attributes, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims, numbersOf } from './shapes.js';
import type { ImportState } from './state.js';

/** The Reshape's target dims with 0 (copy, unless allowzero) and one −1 resolved against `from`; null if it cannot be. */
function targetDims(s: ImportState, ctx: NodeContext, attrs: Attributes, from: Dim[], total: number | null): Dim[] | null {
  const shape = s.constants.get(ctx.node.input?.[1] ?? '');
  if (!shape || shape.kind !== 'int' || shape.dims.length !== 1) return null;
  const allowZero = attrs.int('allowzero', 0) !== 0;
  const dims: Dim[] = Array.from(shape.data as ArrayLike<Dim>, (d, i) => (d === 0 && !allowZero ? from[i] : d));
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1 || dims.some((d) => d === undefined)) return null;
  if (unknown === 1) {
    // −1 in the batch position is the batch (the rest must be one image); elsewhere what one image leaves
    const at = dims.indexOf(-1);
    const others = numbersOf({ kind: 'int', dims: [dims.length - 2], data: dims.filter((_, i) => i !== 0 && i !== at) });
    if (total === null || !others) return null;
    const rest = others.reduce((a, b) => a * b, 1);
    if (at === 0) {
      if (rest !== total) return null;
      dims[0] = from[0];
    } else dims[at] = total / rest;
  }
  return dims;
}

/** Handles the Reshapes of a channel shuffle; false when this Reshape is not one (the caller goes on). */
export function reshapeChannelGroups(s: ImportState, ctx: NodeContext, attrs: Attributes): boolean {
  const input = ctx.node.input?.[0] ?? '';
  const view = s.groupedViews.get(input);
  if (view) {
    // back to [N, C, H, W]: the shuffled (or still grouped) tensor itself
    const original = s.dims.get(view.tensor)!;
    const per = (original.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const dims = targetDims(s, ctx, attrs, view.dims, per);
    const same = dims && dims.length === 4 && dims.every((d, i) => d === original[i] || (i === 0 && d === view.dims[0]));
    if (!same) throw nodeError(ctx, `a [N, g, C/g, H, W] view of the channels may only be reshaped back to ${formatDims(original)}, got ${dims ? formatDims(dims) : 'another shape'}`);
    s.alias(ctx, view.tensor);
    return true;
  }
  const x = s.dims.get(s.resolve(input));
  if (!x || x.length !== 4 || typeof x[1] !== 'number' || s.constants.has(input)) return false;
  const [N, C, H, W] = x;
  const dims = targetDims(s, ctx, attrs, x, typeof H === 'number' && typeof W === 'number' ? C * H * W : null);
  if (!dims || dims.length !== 5 || !(dims[0] === N || dims[0] === -1) || dims[3] !== H || dims[4] !== W) return false;
  const [g, k] = dims.slice(1, 3) as number[];
  if (!(Number.isInteger(g) && Number.isInteger(k) && g >= 1 && g * k === C)) return false;
  s.groupedViews.set(s.output(ctx), { tensor: s.resolve(input), dims: [N, g, k, H, W], groups: g, shuffled: false });
  return true;
}

/** Transpose of a grouped view: perm [0, 2, 1, 3, 4] is the shuffle; anything else an Error. */
export function transposeChannelGroups(s: ImportState, ctx: NodeContext, perm: number[] | null): void {
  const input = ctx.node.input?.[0] ?? '';
  const view = s.groupedViews.get(input)!;
  if (view.shuffled || !perm || perm.join() !== '0,2,1,3,4') {
    throw nodeError(ctx, `only the channel shuffle (perm [0,2,1,3,4]) of a [N, g, C/g, H, W] view is supported, got perm ${perm ? `[${perm}]` : '(reversed)'}`);
  }
  const output = s.output(ctx);
  const shuffled = `${output}::shuffled`;
  const [N, g, k, H, W] = view.dims;
  const groups = view.groups;
  s.planned.push({ name: shuffled, inputs: [view.tensor], make: () => new ChannelShuffle(groups) });
  s.dims.set(shuffled, s.dims.get(view.tensor)!);
  s.groupedViews.set(output, { tensor: shuffled, dims: [N, k, g, H, W], groups, shuffled: true });
}
