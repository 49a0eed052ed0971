// ONNX import (nn.fromONNX) and export (nn.toONNX) for the operators the nn layers cover.
export { fromONNX, type FromONNXOptions } from './import.js';
export { toONNX } from './export.js';
export { MIN_OPSET, MAX_OPSET, EXPORT_OPSET } from './opsets.js';
