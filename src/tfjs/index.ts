// wasmconv/tfjs: wasmconv's conv kernels inside TensorFlow.js, so tf.layers models train on them.
export { registerWasmconv, unregisterWasmconv, type Registration, type WasmconvTfjsOptions } from './register.js';
export type { Tfjs } from './types.js';
