// Table-driven cases: shapes peers have shipped wrong results on (DESIGN.md), GEMM and depthwise
// kernel edges, and shapes large enough to run every tile path many times, each with its
// hand-computed output shape. Shared by the Node suite (cases.test.ts) and the browser test page
// (test/browser/core-page).
import type { ConvCase } from './check-conv.js';

export interface TableCase extends ConvCase {
  name: string;
  outShape: number[];
}

export const TABLE_CASES: TableCase[] = [
  // tfjs shipped wrong results on each of these four
  { name: "kernel 2×1, strides 5×2, 'same'", xShape: [1, 2, 11, 7], wShape: [3, 2, 2, 1], bias: true, opts: { stride: [5, 2], padding: 'same' }, outShape: [1, 3, 3, 4], seed: 1 },
  { name: "depthwise 1×3, stride 2, 'same'", xShape: [2, 4, 9, 10], wShape: [4, 1, 1, 3], bias: false, opts: { stride: 2, padding: 'same', groups: 4 }, outShape: [2, 4, 5, 5], seed: 2 },
  { name: 'conv1d stride 3', xShape: [2, 3, 17], wShape: [4, 3, 5], bias: true, opts: { stride: 3 }, outShape: [2, 4, 5], seed: 3 },
  { name: 'stride-2 4×4 (dX is the transposed conv)', xShape: [1, 3, 10, 10], wShape: [2, 3, 4, 4], bias: false, opts: { stride: 2, padding: 1 }, outShape: [1, 2, 5, 5], seed: 4 },
  // GEMM tile edges: rows 4k+r, columns 8k, 8k+4, 8k+r
  { name: '4 output channels, 8 columns', xShape: [1, 3, 2, 4], wShape: [4, 3, 1, 1], bias: true, opts: {}, outShape: [1, 4, 2, 4], seed: 5 },
  { name: '5 output channels, 12 columns', xShape: [1, 2, 3, 4], wShape: [5, 2, 1, 1], bias: true, opts: {}, outShape: [1, 5, 3, 4], seed: 6 },
  { name: '7 output channels, 15 columns', xShape: [1, 2, 5, 5], wShape: [7, 2, 3, 3], bias: false, opts: { padding: [0, 1, 0, 1] }, outShape: [1, 7, 4, 4], seed: 7 },
  { name: 'pointwise with groups', xShape: [2, 8, 5, 7], wShape: [6, 4, 1, 1], bias: true, opts: { groups: 2 }, outShape: [2, 6, 5, 7], seed: 8 },
  { name: '1×1 stride 2 (not the pointwise path)', xShape: [1, 3, 7, 7], wShape: [5, 3, 1, 1], bias: false, opts: { stride: 2 }, outShape: [1, 5, 4, 4], seed: 9 },
  { name: 'asymmetric padding, dilation 2', xShape: [2, 3, 8, 9], wShape: [4, 3, 3, 2], bias: true, opts: { padding: [2, 0, 1, 3], dilation: [2, 3] }, outShape: [2, 4, 6, 10], seed: 10 },
  { name: 'kernel equal to padded input', xShape: [1, 2, 3, 3], wShape: [3, 2, 5, 5], bias: true, opts: { padding: 1 }, outShape: [1, 3, 1, 1], seed: 11 },
  { name: 'medium: 16→24 channels 20×20 pad 1', xShape: [2, 16, 20, 20], wShape: [24, 16, 3, 3], bias: true, opts: { padding: 1 }, outShape: [2, 24, 20, 20], seed: 12 },
  { name: 'medium depthwise 32 channels', xShape: [2, 32, 14, 14], wShape: [32, 1, 3, 3], bias: true, opts: { padding: 1, groups: 32 }, outShape: [2, 32, 14, 14], seed: 13 },
  { name: "conv1d 'same' dilation 2, groups 2", xShape: [3, 6, 50], wShape: [4, 3, 4], bias: false, opts: { padding: 'same', dilation: 2, groups: 2 }, outShape: [3, 4, 50], seed: 14 },
  // the GEMM drivers split reductions longer than KC = 512 into chunks
  { name: 'forward reduction of 1152 taps (3 chunks)', xShape: [1, 128, 6, 9], wShape: [5, 128, 3, 3], bias: true, opts: { padding: 1 }, outShape: [1, 5, 6, 9], seed: 15 },
  { name: 'dW reduction over 750 positions (2 chunks)', xShape: [2, 3, 30, 25], wShape: [6, 3, 3, 3], bias: false, opts: { padding: 1 }, outShape: [2, 6, 30, 25], seed: 16 },
  { name: 'conv1d over 1100 positions, pad 2', xShape: [1, 4, 1100], wShape: [6, 4, 5], bias: true, opts: { padding: 2 }, outShape: [1, 6, 1100], seed: 17 },
  { name: 'dX reduction over 600 output channels (2 chunks)', xShape: [1, 2, 5, 6], wShape: [600, 2, 2, 2], bias: false, opts: {}, outShape: [1, 600, 4, 5], seed: 18 },
  { name: 'pointwise dW over 1200 positions', xShape: [1, 5, 30, 40], wShape: [7, 5, 1, 1], bias: true, opts: {}, outShape: [1, 7, 30, 40], seed: 19 },
  // panels of 8 positions that start mid-row and wrap onto the next output row (stride 1), and rows narrower than 8
  { name: 'output rows of 9, 8-position panels wrap', xShape: [2, 3, 9, 9], wShape: [5, 3, 3, 3], bias: true, opts: { padding: 1 }, outShape: [2, 5, 9, 9], seed: 20 },
  { name: 'output rows of 5, panels span three rows', xShape: [1, 2, 7, 7], wShape: [4, 2, 3, 3], bias: false, opts: {}, outShape: [1, 4, 5, 5], seed: 21 },
  // strided dX builds dcol and scatters it a block of output rows at a time (here 4 rows, the last block 1)
  { name: 'stride-2 dX in blocks of output rows', xShape: [1, 16, 41, 42], wShape: [4, 16, 3, 3], bias: false, opts: { stride: 2, padding: 1 }, outShape: [1, 4, 21, 21], seed: 22 },
  // stride (sh, 2) on 2–3 channels per group: dX gathered by stride phase, 16-column tiles (the last one clipped)
  { name: 'S7 stem planes: stride 2, 3×3, pad 1, 3 channels', xShape: [2, 3, 64, 64], wShape: [32, 3, 3, 3], bias: true, opts: { stride: 2, padding: 1 }, outShape: [2, 32, 32, 32], seed: 23 },
  { name: 'stride-phase dX: width 45, dilation 2 across, asymmetric padding', xShape: [1, 2, 23, 45], wShape: [5, 2, 3, 3], bias: false, opts: { stride: 2, dilation: [1, 2], padding: [1, 2, 0, 1] }, outShape: [1, 5, 12, 21], seed: 24 },
  { name: 'stride-phase dX: stride (3, 2), 4×3 kernel, groups 2', xShape: [1, 6, 14, 37], wShape: [4, 3, 4, 3], bias: true, opts: { stride: [3, 2], padding: 2, groups: 2 }, outShape: [1, 4, 5, 20], seed: 25 },
  { name: 'stride-phase dX: conv1d stride 2, kernel 5', xShape: [2, 3, 77], wShape: [8, 3, 5], bias: true, opts: { stride: 2, padding: 2 }, outShape: [2, 8, 39], seed: 26 },
  // depthwise kernels (groups = C): stride phases, column steps 8/4/1–3, row pairs and a last odd row
  { name: "depthwise 3×1, stride 2, 'same' (the 1×N case transposed)", xShape: [2, 4, 10, 9], wShape: [4, 1, 3, 1], bias: true, opts: { stride: 2, padding: 'same', groups: 4 }, outShape: [2, 4, 5, 5], seed: 15 },
  { name: "conv1d depthwise, kernel 4, stride 2, 'same'", xShape: [2, 6, 11], wShape: [6, 1, 4], bias: true, opts: { stride: 2, padding: 'same', groups: 6 }, outShape: [2, 6, 6], seed: 16 },
  { name: 'depthwise multiplier 3, stride 3, dilation 2, asymmetric padding', xShape: [1, 2, 11, 13], wShape: [6, 1, 3, 2], bias: true, opts: { stride: 3, dilation: 2, padding: [2, 0, 1, 3], groups: 2 }, outShape: [1, 6, 3, 5], seed: 17 },
  { name: 'depthwise 1 column wide', xShape: [2, 3, 6, 1], wShape: [3, 1, 3, 3], bias: false, opts: { padding: 1, groups: 3 }, outShape: [2, 3, 6, 1], seed: 18 },
  { name: 'depthwise 9 wide, 7 rows, multiplier 2', xShape: [1, 4, 7, 9], wShape: [8, 1, 3, 3], bias: true, opts: { padding: 1, groups: 4 }, outShape: [1, 8, 7, 9], seed: 19 },
  { name: 'depthwise stride 2, 13 outputs wide', xShape: [1, 3, 5, 26], wShape: [3, 1, 3, 3], bias: false, opts: { stride: 2, padding: 1, groups: 3 }, outShape: [1, 3, 3, 13], seed: 20 },
  { name: 'depthwise padding wider than the kernel', xShape: [1, 2, 3, 4], wShape: [2, 1, 1, 2], bias: true, opts: { padding: 3, groups: 2 }, outShape: [1, 2, 9, 9], seed: 21 },
  { name: 'depthwise stride 3 > kernel 1 (pixels never read)', xShape: [1, 3, 8, 8], wShape: [3, 1, 1, 1], bias: false, opts: { stride: 3, groups: 3 }, outShape: [1, 3, 3, 3], seed: 22 },
  { name: 'depthwise kernel equal to padded input', xShape: [2, 3, 3, 3], wShape: [3, 1, 5, 5], bias: true, opts: { padding: 1, groups: 3 }, outShape: [2, 3, 1, 1], seed: 23 },
  { name: 'depthwise stride 2, dilation 2 (odd dx phases get nothing)', xShape: [1, 2, 9, 10], wShape: [2, 1, 3, 3], bias: false, opts: { stride: 2, dilation: 2, padding: 2, groups: 2 }, outShape: [1, 2, 5, 5], seed: 24 },
  { name: 'conv1d depthwise, 1001 long, kernel 9, multiplier 2', xShape: [2, 3, 1001], wShape: [6, 1, 9], bias: true, opts: { padding: 4, groups: 3 }, outShape: [2, 6, 1001], seed: 25 },
  { name: "depthwise 5×5 stride 2 'same' on even sizes", xShape: [2, 8, 16, 16], wShape: [8, 1, 5, 5], bias: true, opts: { stride: 2, padding: 'same', groups: 8 }, outShape: [2, 8, 8, 8], seed: 26 },
  { name: 'depthwise 3×3 pad 1 on 28×28 (S6 planes)', xShape: [2, 16, 28, 28], wShape: [16, 1, 3, 3], bias: true, opts: { padding: 1, groups: 16 }, outShape: [2, 16, 28, 28], seed: 27 },
];
