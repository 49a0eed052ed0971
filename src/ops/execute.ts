// The functional API's side of a pass: lay the call's tensors and the pass's scratch out in
// Wasm memory, copy the inputs in, run the pass, copy the results out.
import type { Backend } from '../runtime.js';
import type { ConvGeometry } from './geometry.js';
import { convPasses, type Threads } from './passes/index.js';

/** The backend's thread pool as the passes take it (null: one thread). */
export const threadsOf = (op: string, { pool, arena }: Backend): Threads | null => (pool ? { pool, arena, op } : null);

export function convForward(
  op: string, backend: Backend, g: ConvGeometry,
  x: Float32Array, w: Float32Array, bias: Float32Array | null,
): Float32Array {
  const pass = convPasses(g, threadsOf(op, backend)).forward;
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the inputs are copied in
  const yFloats = g.batch * g.outChannels * g.outH * g.outW;
  const at = arena.layout(op, { x: x.length, w: w.length, bias: bias ? bias.length : 0, y: yFloats, scratch: pass.scratchFloats });
  arena.write(at.x, x);
  arena.write(at.w, w);
  if (bias) arena.write(at.bias, bias);
  pass.run(kernels, { x: at.x, w: at.w, bias: bias ? at.bias : 0, y: at.y }, at.scratch);
  return arena.read(at.y, yFloats);
}

export function convInputGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, w: Float32Array,
): Float32Array {
  const pass = convPasses(g, threadsOf(op, backend)).inputGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the inputs are copied in
  const dxFloats = g.batch * g.inChannels * g.inH * g.inW;
  const at = arena.layout(op, { dy: dy.length, w: w.length, dx: dxFloats, scratch: pass.scratchFloats });
  arena.write(at.dy, dy);
  arena.write(at.w, w);
  pass.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch);
  return arena.read(at.dx, dxFloats);
}

export function convFilterGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, x: Float32Array, wFloats: number,
): { dw: Float32Array; db: Float32Array } {
  const pass = convPasses(g, threadsOf(op, backend)).filterGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the inputs are copied in
  const at = arena.layout(op, { dy: dy.length, x: x.length, dw: wFloats, db: g.outChannels, scratch: pass.scratchFloats });
  arena.write(at.dy, dy);
  arena.write(at.x, x);
  pass.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch);
  return { dw: arena.read(at.dw, wFloats), db: arena.read(at.db, g.outChannels) };
}

/** All three gradients; dy is copied in once and the two passes share the scratch block. */
export function convBackward(
  op: string, backend: Backend, g: ConvGeometry,
  dy: Float32Array, x: Float32Array, w: Float32Array,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const passes = convPasses(g, threadsOf(op, backend));
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the inputs are copied in
  const scratchFloats = Math.max(passes.inputGradient.scratchFloats, passes.filterGradient.scratchFloats);
  const at = arena.layout(op, {
    dy: dy.length, x: x.length, w: w.length, dx: x.length, dw: w.length, db: g.outChannels, scratch: scratchFloats,
  });
  arena.write(at.dy, dy);
  arena.write(at.x, x);
  arena.write(at.w, w);
  passes.filterGradient.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch);
  passes.inputGradient.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch);
  return {
    dx: arena.read(at.dx, x.length),
    dw: arena.read(at.dw, w.length),
    db: arena.read(at.db, g.outChannels),
  };
}
