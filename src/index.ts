// wasmconv: convolution forward and backward (dX, dW, db) in WebAssembly SIMD.
export { tensor, type Tensor } from './tensor.js';
export { init, backend, dispose, type InitOptions, type BackendInfo, type WasmOption } from './runtime.js';
export type { WasmSource } from './loader.js';
export type { Isa } from './isa.js';
export { conv2d, conv2dBackward, conv2dBackwardInput, conv2dBackwardFilter, prepareConv2d, conv2dAlgorithms } from './ops/conv2d.js';
export { conv1d, conv1dBackward, conv1dBackwardInput, conv1dBackwardFilter, prepareConv1d, conv1dAlgorithms } from './ops/conv1d.js';
export type { PreparedConv } from './ops/prepared.js';
export type { ConvAlgorithms } from './ops/passes/index.js';
export type { Conv2dOptions, Conv1dOptions } from './ops/options.js';
export type { ConvGradients } from './ops/conv.js';
export * as nn from './nn/index.js';
