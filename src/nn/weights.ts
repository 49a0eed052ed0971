// The weights file: a small self-describing binary format (version 1).
//
//   offset 0   8 bytes   magic, ASCII "WASMCONV"
//   offset 8   u32 LE    format version (1)
//   offset 12  u32 LE    H: byte length of the JSON header
//   offset 16  H bytes   UTF-8 JSON header:
//                        { "layers": [LayerSpec…],            the architecture (constructor arguments)
//                          "tensors": [{ "name", "shape" }…],  in payload order ("0.weight", "0.bias", …)
//                          "meta": { … } }                     free-form (epochs, accuracy, seed…)
//   then       0–3 zero bytes, so the payload starts at a multiple of 4
//   payload    every tensor's float32 values, little-endian, row-major, in header order; the file
//              ends exactly where the payload ends.
import { formatShape, sizeOf } from '../tensor.js';
import type { LayerSpec } from './layer.js';

export const WEIGHTS_MAGIC = 'WASMCONV';
export const WEIGHTS_VERSION = 1;
const PREAMBLE = 16;

export interface WeightsTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface WeightsFile {
  layers: LayerSpec[];
  tensors: WeightsTensor[];
  meta: Record<string, unknown>;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

export function encodeWeights(file: WeightsFile): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ layers: file.layers, tensors: file.tensors.map((t) => ({ name: t.name, shape: t.shape })), meta: file.meta }),
  );
  const payloadOffset = align4(PREAMBLE + header.length);
  const floats = file.tensors.reduce((n, t) => n + t.data.length, 0);
  const bytes = new Uint8Array(payloadOffset + floats * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = WEIGHTS_MAGIC.charCodeAt(i);
  view.setUint32(8, WEIGHTS_VERSION, true);
  view.setUint32(12, header.length, true);
  bytes.set(header, PREAMBLE);
  let at = payloadOffset;
  for (const t of file.tensors) {
    if (t.data.length !== sizeOf(t.shape)) {
      throw new Error(`encodeWeights: tensor ${t.name} has ${t.data.length} values but shape ${formatShape(t.shape)}`);
    }
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return bytes;
}

/** Parses a weights file; a file that is not one, of another version, or truncated is an Error saying which. */
export function decodeWeights(bytes: Uint8Array, source = 'weights'): WeightsFile {
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array`);
  if (bytes.length < PREAMBLE) fail(`not a wasmconv weights file: ${bytes.length} bytes, shorter than the ${PREAMBLE}-byte preamble`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== WEIGHTS_MAGIC) fail(`not a wasmconv weights file: it starts with ${JSON.stringify(magic)}, not "${WEIGHTS_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== WEIGHTS_VERSION) fail(`weights file version ${version}; this wasmconv reads version ${WEIGHTS_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length) {
    fail(`truncated: the header needs ${headerLength} bytes but the file has ${bytes.length - PREAMBLE} after the preamble`);
  }
  let header: { layers?: unknown; tensors?: unknown; meta?: unknown };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)));
  } catch (cause) {
    return fail(`corrupt header (not JSON): ${String(cause)}`);
  }
  if (!Array.isArray(header.layers) || !Array.isArray(header.tensors)) fail('corrupt header: "layers" and "tensors" must be arrays');
  const entries = header.tensors as Array<{ name: unknown; shape: unknown }>;
  for (const t of entries) {
    const okShape = Array.isArray(t?.shape) && t.shape.every((d) => Number.isInteger(d) && d > 0);
    if (typeof t?.name !== 'string' || !okShape) fail(`corrupt header: tensor entry ${JSON.stringify(t)}`);
  }
  const payloadOffset = align4(PREAMBLE + headerLength);
  const floats = entries.reduce((n, t) => n + sizeOf(t.shape as number[]), 0);
  const expected = payloadOffset + floats * 4;
  if (bytes.length < expected) {
    fail(`truncated: ${bytes.length} bytes, but its header describes ${floats} floats ending at byte ${expected}`);
  }
  if (bytes.length > expected) fail(`${bytes.length - expected} unexpected bytes after the payload (which ends at byte ${expected})`);
  let at = payloadOffset;
  const tensors = entries.map((t) => {
    const shape = t.shape as number[];
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    return { name: t.name as string, shape, data };
  });
  const meta = header.meta && typeof header.meta === 'object' ? (header.meta as Record<string, unknown>) : {};
  return { layers: header.layers as LayerSpec[], tensors, meta };
}
