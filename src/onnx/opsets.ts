// The opsets of the default ONNX domain the importer reads, and the one the exporter writes.
export const MIN_OPSET = 11;
export const MAX_OPSET = 21;
export const EXPORT_OPSET = 13;
