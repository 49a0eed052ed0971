// Reading an ONNX file: the protobuf (onnx-proto's generated decoder), the opset it was written
// for, tensors (initializers and Constant values) and node attributes as plain JS values.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { modelError, nodeError, type NodeContext } from './errors.js';
import { MAX_OPSET, MIN_OPSET } from './opsets.js';

const { onnx } = onnxProto;
type Long = { toNumber(): number };
export type Int = number | Long;

const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

/** A constant known at import time: float32 weights, or integers (shapes, indices). */
export type Constant =
  | { kind: 'float'; dims: number[]; data: Float32Array }
  | { kind: 'int'; dims: number[]; data: Dim[] };

/** A dimension: a number, or a symbol (a dim_param such as the batch) whose value comes with the data. */
export type Dim = number | string;

export function toNumber(v: Int | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Decodes the bytes; an Error unless they are an ONNX model whose default-domain opset is 11–21. */
export function decodeModel(bytes: Uint8Array, source: string): { graph: Onnx.IGraphProto; opset: number } {
  if (!(bytes instanceof Uint8Array)) throw modelError(source, `bytes must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw modelError(source, `not an ONNX model (protobuf: ${(error as Error).message})`);
  }
  if (!model.graph) throw modelError(source, 'not an ONNX model (no graph)');
  const imports = model.opsetImport ?? [];
  const main = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!main) throw modelError(source, 'the model imports no opset of the default ONNX domain');
  const opset = toNumber(main.version);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    const first = model.graph.node?.[0];
    const where = first ? ` (first node '${first.name || first.output?.[0]}', ${first.opType})` : '';
    throw modelError(source, `opset ${opset} is not supported (opsets ${MIN_OPSET}–${MAX_OPSET} are)${where}`);
  }
  return { graph: model.graph, opset };
}

const INT_TYPES = new Set<number>([DataType.BOOL, DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64]);

/** A TensorProto as a Constant: float32 or an integer type; any other type is an Error. */
export function readTensor(t: Onnx.ITensorProto, fail: (message: string) => Error): Constant {
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const type = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw fail(`tensor '${t.name}' keeps its data in an external file, which is not supported`);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (type === DataType.FLOAT) {
    let data: Float32Array;
    if (raw) {
      if (raw.length !== count * 4) throw fail(`tensor '${t.name}' has ${raw.length} bytes of data for dims [${dims}]`);
      data = new Float32Array(count);
      new Uint8Array(data.buffer).set(raw); // a copy: raw may be unaligned inside the file
    } else {
      data = Float32Array.from(t.floatData ?? []);
    }
    if (data.length !== count) throw fail(`tensor '${t.name}' has ${data.length} values for dims [${dims}]`);
    return { kind: 'float', dims, data };
  }
  if (INT_TYPES.has(type)) {
    let data: number[];
    if (raw) data = intsOfRaw(raw, type, count);
    else if (type === DataType.INT64 || type === DataType.UINT64) data = (t.int64Data ?? []).map(toNumber);
    else if (type === DataType.UINT32) data = (t.uint64Data ?? []).map(toNumber);
    else data = (t.int32Data ?? []).map(Number);
    if (data.length !== count) throw fail(`tensor '${t.name}' has ${data.length} values for dims [${dims}]`);
    return { kind: 'int', dims, data };
  }
  const typeName = DataType[type] ?? String(type);
  throw fail(`tensor '${t.name}' has data type ${typeName}; only FLOAT (float32) tensors, and integer shape tensors, are supported`);
}

function intsOfRaw(raw: Uint8Array, type: number, count: number): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  const size = type === DataType.INT64 || type === DataType.UINT64 ? 8
    : type === DataType.INT32 || type === DataType.UINT32 ? 4 : type === DataType.INT16 || type === DataType.UINT16 ? 2 : 1;
  for (let i = 0; i < count && (i + 1) * size <= raw.length; i++) {
    const at = i * size;
    if (type === DataType.INT64) out.push(Number(view.getBigInt64(at, true)));
    else if (type === DataType.UINT64) out.push(Number(view.getBigUint64(at, true)));
    else if (type === DataType.INT32) out.push(view.getInt32(at, true));
    else if (type === DataType.UINT32) out.push(view.getUint32(at, true));
    else if (type === DataType.INT16) out.push(view.getInt16(at, true));
    else if (type === DataType.UINT16) out.push(view.getUint16(at, true));
    else if (type === DataType.INT8) out.push(view.getInt8(at));
    else out.push(view.getUint8(at)); // UINT8, BOOL
  }
  return out;
}

/** A node's attributes by name, each read as the type the op expects (or an Error). */
export class Attributes {
  private readonly byName = new Map<string, Onnx.IAttributeProto>();

  constructor(private readonly ctx: NodeContext) {
    for (const a of ctx.node.attribute ?? []) this.byName.set(a.name ?? '', a);
  }

  /** Errors for attributes the op does not know: an unknown attribute might change the result. */
  only(...known: string[]): void {
    for (const name of this.byName.keys()) {
      if (!known.includes(name)) throw nodeError(this.ctx, `attribute '${name}' is not supported`);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AttrType.INT);
    return a ? toNumber(a.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, AttrType.FLOAT);
    return a ? (a.f ?? 0) : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttrType.STRING);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }

  ints(name: string): number[] | null {
    const a = this.get(name, AttrType.INTS);
    return a ? (a.ints ?? []).map(toNumber) : null;
  }

  floats(name: string): number[] | null {
    const a = this.get(name, AttrType.FLOATS);
    return a ? [...(a.floats ?? [])] : null;
  }

  tensor(name: string): Onnx.ITensorProto | null {
    const a = this.get(name, AttrType.TENSOR);
    return a ? (a.t ?? null) : null;
  }

  private get(name: string, type: number): Onnx.IAttributeProto | null {
    const a = this.byName.get(name);
    if (!a) return null;
    if (a.type !== type) throw nodeError(this.ctx, `attribute '${name}' has type ${AttrType[a.type ?? 0]}, expected ${AttrType[type]}`);
    return a;
  }
}

/** A graph input or output's element type and dims (a dim_param, or nothing, becomes a symbol). */
export function valueInfoShape(v: Onnx.IValueInfoProto): { elemType: number; dims: Dim[] | null } {
  const tensorType = v.type?.tensorType;
  if (!tensorType) return { elemType: 0, dims: null };
  const dims = tensorType.shape ? (tensorType.shape.dim ?? []).map((d, i) =>
    d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : d.dimParam || `${v.name}:${i}`) : null;
  return { elemType: tensorType.elemType ?? 0, dims };
}

export { onnx, DataType, AttrType, MIN_OPSET, MAX_OPSET };
