// The JS reference: plain loop nests with float64 accumulation; the oracle the kernels are
// fuzzed against. Exported from the package as `wasmconv/reference` for users who want to check.
export { conv2dRef, conv2dBackwardRef, type RefTensor } from './conv2d.js';
export { conv1dRef, conv1dBackwardRef } from './conv1d.js';
export {
  reluRef, reluBackwardRef, maxPool2dRef, maxPool2dBackwardRef, linearRef, linearBackwardRef, softmaxCrossEntropyRef, type RefArray,
} from './layers.js';
