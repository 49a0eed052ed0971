/// <reference types="node" />
// IDX files (the format the original MNIST files use), optionally gzipped:
//   bytes 0–1  zero;  byte 2  element type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)
//   byte 3     number of dimensions d;  then d big-endian u32 sizes;  then the data, big-endian.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'u8', bytes: 1 }, 0x09: { name: 'i8', bytes: 1 }, 0x0b: { name: 'i16', bytes: 2 },
  0x0c: { name: 'i32', bytes: 4 }, 0x0d: { name: 'f32', bytes: 4 }, 0x0e: { name: 'f64', bytes: 8 },
};

/** Parses IDX bytes (gunzipping first if they start with the gzip magic). */
export function parseIdx(input: Uint8Array, source = 'idx'): IdxArray {
  let bytes = input;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${source}: not an IDX file (it must start with two zero bytes, a type byte and a dimension count)`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw new Error(`${source}: unknown IDX element type 0x${bytes[2].toString(16)}`);
  const dims = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataStart = 4 + 4 * dims;
  if (bytes.length < dataStart) throw new Error(`${source}: truncated IDX header (${dims} dimensions need ${dataStart} bytes, the file has ${bytes.length})`);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = dataStart + count * type.bytes;
  if (bytes.length !== expected) {
    throw new Error(`${source}: IDX shape [${shape.join(',')}] of ${type.name} needs ${expected} bytes but the file has ${bytes.length}${bytes.length < expected ? ' (truncated)' : ''}`);
  }
  switch (type.name) {
    case 'u8':
      return { shape, data: bytes.slice(dataStart, expected) };
    case 'i8':
      return { shape, data: new Int8Array(bytes.slice(dataStart, expected).buffer) };
    default: {
      const Ctor = { i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array }[type.name as 'i16'];
      const out = new Ctor(count);
      const get = {
        i16: (o: number) => view.getInt16(o, false), i32: (o: number) => view.getInt32(o, false),
        f32: (o: number) => view.getFloat32(o, false), f64: (o: number) => view.getFloat64(o, false),
      }[type.name as 'i16'];
      for (let i = 0; i < count; i++) out[i] = get(dataStart + i * type.bytes);
      return { shape, data: out };
    }
  }
}

/** Encodes an array as IDX bytes (big-endian), for tests and for writing data sets. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = array.data instanceof Uint8Array ? [0x08, 1] : array.data instanceof Int8Array ? [0x09, 1]
    : array.data instanceof Int16Array ? [0x0b, 2] : array.data instanceof Int32Array ? [0x0c, 4]
    : array.data instanceof Float32Array ? [0x0d, 4] : [0x0e, 8];
  const [code, size] = entry;
  const start = 4 + 4 * array.shape.length;
  const bytes = new Uint8Array(start + array.data.length * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = code;
  bytes[3] = array.shape.length;
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < array.data.length; i++) {
    const o = start + i * size, v = array.data[i];
    if (code === 0x08) view.setUint8(o, v); else if (code === 0x09) view.setInt8(o, v);
    else if (code === 0x0b) view.setInt16(o, v, false); else if (code === 0x0c) view.setInt32(o, v, false);
    else if (code === 0x0d) view.setFloat32(o, v, false); else view.setFloat64(o, v, false);
  }
  return bytes;
}

export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readFile(path), path);
}
