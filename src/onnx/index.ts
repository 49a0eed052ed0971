// ONNX import (nn.fromONNX) and export (nn.toONNX) for the operators the nn layers cover.
export { fromONNX, type FromONNXOptions } from './import.js';
export { toONNX, EXPORT_OPSET } from './export.js';
export { MIN_OPSET, MAX_OPSET } from './decode.js';
