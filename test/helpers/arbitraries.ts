// fast-check generators of valid convolution cases. Sizes are small (so the reference stays
// fast) but cross every kernel edge: channel counts and widths that are not multiples of 4 or 8,
// 1×1 outputs (kernel equal to the padded input: `extra` 0), asymmetric padding, stride and
// dilation up to 3, groups including depthwise, with and without bias.
import fc from 'fast-check';
import type { ConvCase } from './check-conv.js';

const padding1 = fc.integer({ min: 0, max: 3 });
/** Every padding form but the per-axis pair (which means [left, right] in 1-D and [h, w] in 2-D). */
const paddingNoPairs = fc.oneof(
  fc.constant('valid' as const),
  fc.constant('same' as const),
  padding1,
  fc.tuple(padding1, padding1, padding1, padding1),
);

/** groups and channels per group: ordinary, grouped or depthwise. */
const grouping = fc.oneof(
  fc.record({ groups: fc.constant(1), groupIn: fc.integer({ min: 1, max: 9 }), groupOut: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ groups: fc.integer({ min: 2, max: 3 }), groupIn: fc.integer({ min: 1, max: 4 }), groupOut: fc.integer({ min: 1, max: 4 }) }),
  // depthwise: one input channel per group, a channel multiplier of 1 or 2
  fc.record({ groups: fc.integer({ min: 2, max: 6 }), groupIn: fc.constant(1), groupOut: fc.integer({ min: 1, max: 2 }) }),
);

/** Smallest input that fits the dilated kernel after padding, plus `extra`. */
function inputSize(kernel: number, dilation: number, padBefore: number, padAfter: number, extra: number): number {
  return Math.max(1, dilation * (kernel - 1) + 1 - padBefore - padAfter) + extra;
}

export const conv2dCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    grouping,
    kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(
      fc.constant('valid' as const),
      fc.constant('same' as const),
      padding1,
      fc.tuple(padding1, padding1),
      fc.tuple(padding1, padding1, padding1, padding1),
    ),
    extra: fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 })),
    scalarOptions: fc.boolean(),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, grouping: { groups, groupIn, groupOut }, kernel, stride, dilation, padding, extra, scalarOptions, bias, seed }) => {
    const [pt, pb, pl, pr] =
      typeof padding === 'number' ? [padding, padding, padding, padding]
      : padding === 'valid' || padding === 'same' ? [0, 0, 0, 0]
      : padding.length === 2 ? [padding[0], padding[0], padding[1], padding[1]]
      : padding;
    const height = inputSize(kernel[0], dilation[0], pt, pb, extra[0]);
    const width = inputSize(kernel[1], dilation[1], pl, pr, extra[1]);
    // Exercise both spellings of stride/dilation: a number when the axes agree, else a pair.
    const axisOption = (v: [number, number]) => (scalarOptions && v[0] === v[1] ? v[0] : v);
    return {
      xShape: [batch, groups * groupIn, height, width],
      wShape: [groups * groupOut, groupIn, kernel[0], kernel[1]],
      bias,
      opts: { stride: axisOption(stride), dilation: axisOption(dilation), padding, groups },
      seed,
    };
  });

export const conv1dCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    grouping,
    kernel: fc.integer({ min: 1, max: 7 }),
    stride: fc.integer({ min: 1, max: 3 }),
    dilation: fc.integer({ min: 1, max: 3 }),
    padding: fc.oneof(fc.constant('valid' as const), fc.constant('same' as const), padding1, fc.tuple(padding1, padding1)),
    extra: fc.integer({ min: 0, max: 40 }),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, grouping: { groups, groupIn, groupOut }, kernel, stride, dilation, padding, extra, bias, seed }) => {
    const [pl, pr] = typeof padding === 'number' ? [padding, padding] : typeof padding === 'string' ? [0, 0] : padding;
    return {
      xShape: [batch, groups * groupIn, inputSize(kernel, dilation, pl, pr, extra)],
      wShape: [groups * groupOut, groupIn, kernel],
      bias,
      opts: { stride, dilation, padding, groups },
      seed,
    };
  });

/** Pointwise (1×1, stride 1, no padding) convs take a path without im2col: fuzz it on its own. */
export const pointwiseCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    grouping,
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 13 }),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, grouping: { groups, groupIn, groupOut }, height, width, bias, seed }) => ({
    xShape: [batch, groups * groupIn, height, width],
    wShape: [groups * groupOut, groupIn, 1, 1],
    bias,
    opts: { groups },
    seed,
  }));

/**
 * Depthwise convs (groups = C, any channel multiplier) run their own kernels: fuzz them on their
 * own, 2-D and 1-D. Widths reach past 16 so every column step (8, 4, 1–3 left over) and both
 * row steps (pairs, a last odd row) run; strides up to 3 give every column-phase split.
 */
export const depthwiseCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 2, max: 5 }),
    multiplier: fc.integer({ min: 1, max: 3 }),
    oneD: fc.boolean(),
    kernel: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: paddingNoPairs,
    extra: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 21 })),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, channels, multiplier, oneD, kernel, stride, dilation, padding, extra, bias, seed }) => {
    const [pt, pb, pl, pr] =
      typeof padding === 'number' ? [padding, padding, padding, padding]
      : typeof padding === 'string' ? [0, 0, 0, 0]
      : padding;
    const width = inputSize(kernel[1], dilation[1], pl, pr, extra[1]);
    const groups = channels;
    const outChannels = channels * multiplier;
    if (oneD) {
      return {
        xShape: [batch, channels, width],
        wShape: [outChannels, 1, kernel[1]],
        bias,
        opts: { stride: stride[1], dilation: dilation[1], padding: typeof padding === 'object' ? [pl, pr] : padding, groups },
        seed,
      };
    }
    return {
      xShape: [batch, channels, inputSize(kernel[0], dilation[0], pt, pb, extra[0]), width],
      wShape: [outChannels, 1, kernel[0], kernel[1]],
      bias,
      opts: { stride, dilation, padding, groups },
      seed,
    };
  });

/**
 * MobileNet's depthwise layers: 3×3 at stride 1 or 2 in both axes, dilation 1, whose forward pass
 * runs its own kernel (f32_dwconv_fwd_3x3, four output rows per pass). Heights reach past 9 so
 * blocks of four rows and a ragged last 1–3 run; widths past 9 for whole and partial vectors;
 * paddings 0–1 on each side, symmetric, asymmetric or 'same'; 2–9 channels (more than one
 * 4-channel block for threads), multiplier 1 or 2.
 */
const padding01 = fc.integer({ min: 0, max: 1 });
export const depthwise3x3Case: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 2, max: 9 }),
    multiplier: fc.integer({ min: 1, max: 2 }),
    stride: fc.constantFrom(1, 2),
    padding: fc.oneof(fc.constant('same' as const), padding01, fc.tuple(padding01, padding01, padding01, padding01)),
    extra: fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 13 })),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, channels, multiplier, stride, padding, extra, bias, seed }) => {
    const [pt, pb, pl, pr] =
      typeof padding === 'number' ? [padding, padding, padding, padding]
      : typeof padding === 'string' ? [0, 0, 0, 0]
      : padding;
    return {
      xShape: [batch, channels, inputSize(3, 1, pt, pb, extra[0]), inputSize(3, 1, pl, pr, extra[1])],
      wShape: [channels * multiplier, 1, 3, 3],
      bias,
      opts: { stride, padding, groups: channels },
      seed,
    };
  });

/**
 * Convs of stride (sh, 2) with 2–3 input channels per group take dX by stride phase
 * (src/ops/passes/subconv-dx.ts): fuzz them on their own, 2-D and 1-D. Widths reach past 40 so
 * rows hold several whole 16-column tiles and a clipped last one, odd or even; kernels, dilations
 * and paddings give phases with 0–9 taps and dY shifts of either sign.
 */
export const stridePhaseCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    grouping: fc.oneof(
      fc.record({ groups: fc.constant(1), groupIn: fc.integer({ min: 2, max: 3 }), groupOut: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ groups: fc.integer({ min: 2, max: 3 }), groupIn: fc.integer({ min: 2, max: 3 }), groupOut: fc.integer({ min: 1, max: 4 }) }),
    ),
    oneD: fc.boolean(),
    kernel: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
    strideH: fc.integer({ min: 1, max: 3 }),
    dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: paddingNoPairs,
    extra: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 44 })),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, grouping: { groups, groupIn, groupOut }, oneD, kernel, strideH, dilation, padding, extra, bias, seed }) => {
    const [pt, pb, pl, pr] =
      typeof padding === 'number' ? [padding, padding, padding, padding]
      : typeof padding === 'string' ? [0, 0, 0, 0]
      : padding;
    const width = inputSize(kernel[1], dilation[1], pl, pr, extra[1]);
    if (oneD) {
      return {
        xShape: [batch, groups * groupIn, width],
        wShape: [groups * groupOut, groupIn, kernel[1]],
        bias,
        opts: { stride: 2, dilation: dilation[1], padding: typeof padding === 'object' ? [pl, pr] : padding, groups },
        seed,
      };
    }
    return {
      xShape: [batch, groups * groupIn, inputSize(kernel[0], dilation[0], pt, pb, extra[0]), width],
      wShape: [groups * groupOut, groupIn, kernel[0], kernel[1]],
      bias,
      opts: { stride: [strideH, 2], dilation, padding, groups },
      seed,
    };
  });

/** The fuzz suite's properties, by name: run on every ISA in Node (fuzz.test.ts) and in Chromium (test/browser). */
export const FUZZ_PROPERTIES = [
  ['conv2d forward + dx/dw/db', conv2dCase],
  ['conv1d forward + dx/dw/db', conv1dCase],
  ['pointwise conv2d forward + dx/dw/db', pointwiseCase],
  ['depthwise conv2d/conv1d forward + dx/dw/db', depthwiseCase],
  ['3×3 depthwise conv2d at stride 1 or 2 (MobileNet\'s), forward + dx/dw/db', depthwise3x3Case],
  ['stride-(sh, 2) conv2d/conv1d on 2–3 channels per group, forward + dx/dw/db', stridePhaseCase],
] as const;
