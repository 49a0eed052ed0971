// The JS reference: plain loop nests with float64 accumulation; the oracle the kernels are
// fuzzed against. Exported from the package as `wasmconv/reference` for users who want to check.
export { conv2dRef, conv2dBackwardRef, type RefTensor } from './conv2d.js';
export { conv1dRef, conv1dBackwardRef } from './conv1d.js';
export { convTranspose2dRef, convTranspose2dBackwardRef, type ConvTransposeRefOptions } from './conv-transpose2d.js';
export {
  reluRef, reluBackwardRef, maxPool2dRef, maxPool2dBackwardRef, linearRef, linearBackwardRef, softmaxCrossEntropyRef,
  globalAvgPool2dRef, globalAvgPool2dBackwardRef, addRef, type RefArray,
} from './layers.js';
export { avgPool2dRef, avgPool2dBackwardRef, type AvgPoolRefOptions } from './avgpool.js';
export { dropoutMaskRef, dropoutRef } from './dropout.js';
export { batchNorm2dRef, batchNorm2dBackwardRef, type BatchNormRefOptions, type BatchNormRefResult } from './batchnorm.js';
export { activationRef, activationBackwardRef, activationOf, activationGradOf, type ActivationRef } from './activations.js';
