// ONNX ConvTranspose → nn.ConvTranspose2d. ONNX's output size is
//   (in − 1)·stride + dilation·(k − 1) + 1 − padBegin − padEnd + output_padding,
// the layer's rule, with W [C, M/group, KH, KW] in the layer's layout. auto_pad SAME_* and
// output_shape choose the pads from a target size instead: Errors here rather than a guess.
import { ConvTranspose2d } from '../nn/layers/conv-transpose.js';
import type { Attributes, Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import { formatDims, pairAttr, UNKNOWN } from './shapes.js';
import type { ImportState } from './state.js';

export function convTranspose(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('auto_pad', 'dilations', 'group', 'kernel_shape', 'output_padding', 'output_shape', 'pads', 'strides');
  const xRank = s.runtime(ctx, 0).dims.length;
  if (xRank !== 4) throw nodeError(ctx, `only 2-D transposed convolution (x [N,C,H,W]) is supported, x has rank ${xRank}`);
  const x = s.runtime(ctx, 0, 4);
  const w = s.floats(ctx, 1, 'the weight W');
  if (w.dims.length !== 4) throw nodeError(ctx, `the weight W must be [C, M/group, KH, KW], got ${formatDims(w.dims)}`);
  const [C, Mg, KH, KW] = w.dims;
  const group = attrs.int('group', 1);
  if (!(group >= 1) || C % group !== 0) throw nodeError(ctx, `group ${group} must be ≥ 1 and divide W's ${C} input channels`);
  const M = Mg * group;
  if (typeof x.dims[1] === 'number' && x.dims[1] !== C) throw nodeError(ctx, `x has ${x.dims[1]} channels but W ${formatDims(w.dims)} takes ${C}`);
  const kernel = attrs.ints('kernel_shape');
  if (kernel && (kernel.length !== 2 || kernel[0] !== KH || kernel[1] !== KW)) throw nodeError(ctx, `kernel_shape [${kernel}] does not match W ${formatDims(w.dims)}`);
  if (attrs.ints('output_shape')) throw nodeError(ctx, 'output_shape is not supported (give pads and output_padding instead)');
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw nodeError(ctx, `auto_pad '${autoPad}' is not supported (NOTSET and VALID are)`);
  const strides = pairAttr(ctx, attrs, 'strides', 1), dilations = pairAttr(ctx, attrs, 'dilations', 1);
  const outputPadding = pairAttr(ctx, attrs, 'output_padding', 0, 0);
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : attrs.ints('pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4 || pads.some((p) => !Number.isInteger(p) || p < 0)) throw nodeError(ctx, `pads must be 4 non-negative integers, got [${pads}]`);
  outputPadding.forEach((p, a) => {
    if (p >= strides[a]) throw nodeError(ctx, `output_padding [${outputPadding}] must be below the strides [${strides}]`);
  });
  const [top, left, bottom, right] = pads;
  const b = ctx.node.input?.[2] ? s.floats(ctx, 2, 'the bias B', [M]) : null;
  const size = (d: Dim, a: number, before: number, after: number): Dim =>
    typeof d === 'number' ? (d - 1) * strides[a] + dilations[a] * ([KH, KW][a] - 1) + 1 - before - after + outputPadding[a] : UNKNOWN;
  const oh = size(x.dims[2], 0, top, bottom), ow = size(x.dims[3], 1, left, right);
  if ((typeof oh === 'number' && oh < 1) || (typeof ow === 'number' && ow < 1)) throw nodeError(ctx, `pads [${pads}] leave an empty output for x ${formatDims(x.dims)}`);
  const weight = Float32Array.from(w.data), bias = b ? Float32Array.from(b.data) : null;
  s.plan(ctx, [x.tensor], [x.dims[0], M, oh, ow], () => {
    const layer = new ConvTranspose2d(C, M, [KH, KW], {
      stride: strides, padding: [top, bottom, left, right], outputPadding, dilation: dilations, groups: group, bias: bias !== null,
    });
    layer.weight.write(weight);
    if (bias) layer.bias!.write(bias);
    return layer;
  });
}
