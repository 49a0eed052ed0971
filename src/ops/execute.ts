// The functional API's side of a pass: lay the call's tensors and the pass's scratch out in
// Wasm memory, copy the inputs in, run the pass, copy the results out. The copying goes through
// the pass (ImageCopies): split across threads, the calling thread copies each chunk's images
// in just before any thread may start it and out as soon as it is done, while the workers
// compute, and takes chunks of its own in between.
import { uninitializedFloats, type WasmArena } from '../memory.js';
import type { Backend } from '../runtime.js';
import type { ConvGeometry } from './geometry.js';
import { convPasses, type ForwardPointers, type ImageCopies, type Pass, type Slice, type Threads } from './passes/index.js';

/** The backend's thread pool as the passes take it (null: one thread). */
export const threadsOf = (op: string, { pool, arena }: Backend): Threads | null => (pool ? { pool, arena, op } : null);

/** A tensor with one block per image (x, y, dy, dx), at byte offset `at` in Wasm memory. */
interface Batched {
  data: Float32Array;
  at: number;
  perImage: number;
}

const batched = (data: Float32Array, at: number, batch: number): Batched => ({ data, at, perImage: data.length / batch });

/**
 * A result with one block per image, its array allocated on first use: on threads that is
 * when the first chunk is copied out, so the allocation (faulting in fresh pages, say) runs
 * while the workers compute. Every block is copied out before the caller gets the array, so
 * it needs no zeroing.
 */
function result(floats: number, at: number, batch: number): Batched {
  let data: Float32Array | null = null;
  return {
    get data() {
      return (data ??= uninitializedFloats(floats));
    },
    at,
    perImage: floats / batch,
  };
}

function copyIn(arena: WasmArena, t: Batched, r: Slice): void {
  arena.write(t.at + r.start * t.perImage * 4, t.data.subarray(r.start * t.perImage, (r.start + r.count) * t.perImage));
}

function copyOut(arena: WasmArena, t: Batched, r: Slice): void {
  // a block of channels is a contiguous part of its image
  const from = r.start * t.perImage + (r.channels ? (r.channels.from * t.perImage) / r.channels.of : 0);
  const floats = r.channels ? ((r.channels.to - r.channels.from) * t.perImage) / r.channels.of : r.count * t.perImage;
  arena.readInto(t.at + from * 4, t.data, from, floats);
}

/** A pass's copies: `inputs` in and `outputs` out, image block by image block. */
function copying(arena: WasmArena, inputs: Batched[], outputs: Batched[]): ImageCopies {
  return {
    feed: inputs.length > 0 ? (r) => inputs.forEach((t) => copyIn(arena, t, r)) : undefined,
    drain: outputs.length > 0 ? (r) => outputs.forEach((t) => copyOut(arena, t, r)) : undefined,
  };
}

export function convForward(
  op: string, backend: Backend, g: ConvGeometry,
  x: Float32Array, w: Float32Array, bias: Float32Array | null,
): Float32Array {
  const pass = convPasses(g, threadsOf(op, backend)).forward;
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the call is laid out
  const yFloats = g.batch * g.outChannels * g.outH * g.outW;
  const at = arena.layout(op, { x: x.length, w: w.length, bias: bias ? bias.length : 0, y: yFloats, scratch: pass.scratchFloats });
  const y = result(yFloats, at.y, g.batch);
  arena.write(at.w, w);
  if (bias) arena.write(at.bias, bias);
  pass.run(kernels, { x: at.x, w: at.w, bias: bias ? at.bias : 0, y: at.y }, at.scratch, copying(arena, [batched(x, at.x, g.batch)], [y]));
  return y.data;
}

/**
 * A prepared conv's weights, resident in Wasm memory: w and bias (0: none), and the block
 * a forward pass makes from them (Winograd's U, the GEMM's packed W), kept by key
 * (WeightsBlock.key) and made on first use. `block` may allocate resident memory: it is
 * called before the call's layout.
 */
export interface ResidentWeights {
  w: number;
  bias: number;
  block(pass: Pass<ForwardPointers>): number | undefined;
}

/** The forward pass with resident weights: only x is copied in and y out. */
export function convForwardResident(op: string, backend: Backend, g: ConvGeometry, x: Float32Array, weights: ResidentWeights): Float32Array {
  const pass = convPasses(g, threadsOf(op, backend)).forward;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const prepared = weights.block(pass);
  const yFloats = g.batch * g.outChannels * g.outH * g.outW;
  const at = arena.layout(op, { x: x.length, y: yFloats, scratch: pass.scratchFloats });
  const y = result(yFloats, at.y, g.batch);
  const p = { x: at.x, w: weights.w, bias: weights.bias, y: at.y };
  pass.run(kernels, p, at.scratch, copying(arena, [batched(x, at.x, g.batch)], [y]), prepared);
  return y.data;
}

export function convInputGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, w: Float32Array,
): Float32Array {
  const pass = convPasses(g, threadsOf(op, backend)).inputGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const dxFloats = g.batch * g.inChannels * g.inH * g.inW;
  const at = arena.layout(op, { dy: dy.length, w: w.length, dx: dxFloats, scratch: pass.scratchFloats });
  const dx = result(dxFloats, at.dx, g.batch);
  arena.write(at.w, w);
  pass.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch, copying(arena, [batched(dy, at.dy, g.batch)], [dx]));
  return dx.data;
}

export function convFilterGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, x: Float32Array, wFloats: number,
): { dw: Float32Array; db: Float32Array } {
  const pass = convPasses(g, threadsOf(op, backend)).filterGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const at = arena.layout(op, { dy: dy.length, x: x.length, dw: wFloats, db: g.outChannels, scratch: pass.scratchFloats });
  const inputs = [batched(dy, at.dy, g.batch), batched(x, at.x, g.batch)];
  pass.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch, copying(arena, inputs, []));
  return { dw: arena.read(at.dw, wFloats), db: arena.read(at.db, g.outChannels) };
}

/** All three gradients; dy and x are copied in (by the first pass) once, and the two passes share the scratch block. */
export function convBackward(
  op: string, backend: Backend, g: ConvGeometry,
  dy: Float32Array, x: Float32Array, w: Float32Array,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const { filterGradient, inputGradient } = convPasses(g, threadsOf(op, backend));
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const scratchFloats = Math.max(inputGradient.scratchFloats, filterGradient.scratchFloats);
  const at = arena.layout(op, {
    dy: dy.length, x: x.length, w: w.length, dx: x.length, dw: w.length, db: g.outChannels, scratch: scratchFloats,
  });
  const dx = result(x.length, at.dx, g.batch);
  arena.write(at.w, w);
  const inputs = [batched(dy, at.dy, g.batch), batched(x, at.x, g.batch)];
  filterGradient.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch, copying(arena, inputs, []));
  inputGradient.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch, copying(arena, [], [dx]));
  return { dx: dx.data, dw: arena.read(at.dw, w.length), db: arena.read(at.db, g.outChannels) };
}
