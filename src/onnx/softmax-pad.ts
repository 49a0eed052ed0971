// Softmax over the features of 2-D data (a classifier's probabilities) and Pad in constant mode
// on H and W (a Pad2d layer; all-zero pads are an alias).
import { Pad2d } from '../nn/layers/pad.js';
import { Softmax } from '../nn/layers/softmax.js';
import type { Attributes } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims, numbersOf } from './shapes.js';
import type { ImportState } from './state.js';

function softmax(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axis');
  const x = s.runtime(ctx, 0);
  // opsets < 13 default to axis 1, later ones to −1: on [N, K] both are the features
  const axis = attrs.int('axis', ctx.opset >= 13 ? -1 : 1);
  if (x.dims.length !== 2 || (axis !== 1 && axis !== -1)) {
    throw nodeError(ctx, `only Softmax over the features of x [N, K] (axis 1 or −1) is supported, got axis ${axis} for x ${formatDims(x.dims)}`);
  }
  s.plan(ctx, [x.tensor], x.dims, () => new Softmax());
}

function pad(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('mode');
  const mode = attrs.string('mode', 'constant');
  if (mode !== 'constant') throw nodeError(ctx, `mode '${mode}' is not supported (only 'constant')`);
  const x = s.runtime(ctx, 0);
  if (x.dims.length !== 4) throw nodeError(ctx, `only Pad of x [N,C,H,W] is supported, x has rank ${x.dims.length}`);
  if (ctx.node.input?.[3]) throw nodeError(ctx, 'the axes input is not supported (give pads for every axis)');
  const p = s.constant(ctx, 1);
  const pads = p && p.kind === 'int' ? numbersOf(p) : null;
  if (!pads || pads.length !== 8) throw nodeError(ctx, 'pads (input 1) must be an integer constant of 8 values (begins, then ends, of N, C, H, W)');
  const [nBegin, cBegin, top, left, nEnd, cEnd, bottom, right] = pads;
  if (nBegin || cBegin || nEnd || cEnd) throw nodeError(ctx, `only padding of H and W is supported, got pads [${pads}]`);
  if ([top, left, bottom, right].some((v) => v < 0)) throw nodeError(ctx, `negative pads (cropping) are not supported, got [${pads}]`);
  let value = 0;
  const v = s.constant(ctx, 2);
  if (v) {
    if (v.kind !== 'float' || v.data.length !== 1) throw nodeError(ctx, 'constant_value (input 2) must be a float32 scalar');
    value = v.data[0];
  }
  if (top + left + bottom + right === 0) {
    s.alias(ctx, x.tensor);
    return;
  }
  const grow = (d: (typeof x.dims)[number], by: number) => (typeof d === 'number' ? d + by : '?');
  s.plan(ctx, [x.tensor], [x.dims[0], x.dims[1], grow(x.dims[2], top + bottom), grow(x.dims[3], left + right)], () => new Pad2d([top, bottom, left, right], value));
}

export const SOFTMAX_PAD_HANDLERS = { Softmax: softmax, Pad: pad };
