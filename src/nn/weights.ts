// The weights file: a small self-describing binary format (version 1).
//
//   offset 0   8 bytes   magic, ASCII "WASMCONV"
//   offset 8   u32 LE    format version (1)
//   offset 12  u32 LE    H: byte length of the JSON header
//   offset 16  H bytes   UTF-8 JSON header:
//                        { "layers": [LayerSpec…],            the architecture (constructor arguments)
//                          "tensors": [{ "name", "shape" }…],  in payload order ("0.weight", "0.bias", …)
//                          "meta": { … },                      free-form (epochs, accuracy, seed…)
//                          "graph": { … } }                    only in an nn.Graph's file, see below
//   then       0–3 zero bytes, so the payload starts at a multiple of 4
//   payload    every tensor's float32 values, little-endian, row-major, in header order; the file
//              ends exactly where the payload ends.
//
// An nn.Graph's file (still version 1) adds the optional key "graph": { "inputs": [{ "name",
// "shape"? }…], "nodes": [{ "name", "inputs": [tensor names…] }…], "outputs": [{ "name",
// "tensor" }…] }. Its "layers" are the nodes' layer specs, node by node (the same length as
// "nodes"), and its tensors are each node's parameters then its buffers (BatchNorm's running
// statistics), named "<node>.weight", "<node>.running_mean", … A file without "graph" is a
// Sequential's (a chain: layer i reads layer i − 1), which nn.Graph also loads; a Sequential
// refuses a file with "graph". Readers older than "graph" see a layer type they do not know
// (Add, BatchNorm2d) or tensor names that are not theirs, and refuse the file.
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

/** The "graph" key of an nn.Graph's weights file (the layers are the file's "layers"). */
export interface WeightsGraph {
  inputs: Array<{ name: string; shape?: number[] }>;
  nodes: Array<{ name: string; inputs: string[] }>;
  outputs: Array<{ name: string; tensor: string }>;
}

export interface WeightsFile {
  layers: LayerSpec[];
  tensors: WeightsTensor[];
  meta: Record<string, unknown>;
  graph?: WeightsGraph;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

export function encodeWeights(file: WeightsFile): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      layers: file.layers, tensors: file.tensors.map((t) => ({ name: t.name, shape: t.shape })), meta: file.meta,
      ...(file.graph ? { graph: file.graph } : {}),
    }),
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
  let header: { layers?: unknown; tensors?: unknown; meta?: unknown; graph?: unknown };
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
  const layers = header.layers as LayerSpec[];
  if (header.graph === undefined) return { layers, tensors, meta };
  return { layers, tensors, meta, graph: checkGraph(header.graph, layers.length, fail) };
}

/** The "graph" key's structure (names and references are checked when the Graph is built). */
function checkGraph(graph: unknown, layerCount: number, fail: (why: string) => never): WeightsGraph {
  const g = graph as Partial<WeightsGraph> | null;
  const named = (list: unknown, more: (e: Record<string, unknown>) => boolean) =>
    Array.isArray(list) && list.every((e) => e && typeof e === 'object' && typeof e.name === 'string' && more(e));
  const strings = (v: unknown) => Array.isArray(v) && v.every((t) => typeof t === 'string');
  const ok = g && typeof g === 'object'
    && named(g.inputs, (e) => e.shape === undefined || (Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d > 0)))
    && named(g.nodes, (e) => strings(e.inputs))
    && named(g.outputs, (e) => typeof e.tensor === 'string');
  if (!ok) fail(`corrupt header: "graph" must hold "inputs", "nodes" and "outputs" lists, got ${JSON.stringify(graph).slice(0, 200)}`);
  if (g!.nodes!.length !== layerCount) fail(`corrupt header: "graph" has ${g!.nodes!.length} nodes but "layers" ${layerCount} entries`);
  return g as WeightsGraph;
}
