// The functional API's side of a pass: lay the call's tensors and the pass's scratch out in
// Wasm memory, copy the inputs in, run the pass, copy the results out. When the pass is split
// across threads, the calling thread copies its own slice's images in just before its slice and
// out just after it, while the workers compute theirs, and takes fewer images to make up for
// that copying (balance.ts). Only where the result is the same for any split: y and dx are
// computed image by image, but dW and db add per-slice partial sums, so the filter gradient
// always splits evenly (its result then depends on the thread count alone, never on timing).
import type { WasmArena } from '../memory.js';
import type { Backend } from '../runtime.js';
import { balanceKey, mainImages, recordCall } from './balance.js';
import type { ConvGeometry } from './geometry.js';
import { convPasses, type ConvPasses, type Slice, type SliceHooks, type Threads } from './passes/index.js';

/** The backend's thread pool as the passes take it (null: one thread). */
export const threadsOf = (op: string, { pool, arena }: Backend, main?: number): Threads | null =>
  pool ? { pool, arena, op, mainImages: main } : null;

/** A tensor with one block per image (x, y, dy, dx), at byte offset `at` in Wasm memory. */
interface Batched {
  data: Float32Array;
  at: number;
  perImage: number;
}

const batched = (data: Float32Array, at: number, batch: number): Batched => ({ data, at, perImage: data.length / batch });

/**
 * A result with one block per image, its array allocated on first use: on threads that is just
 * after the calling thread's slice, so the allocation (zeroing or faulting in fresh pages) runs
 * while the workers compute.
 */
function result(floats: number, at: number, batch: number): Batched {
  let data: Float32Array | null = null;
  return {
    get data() {
      return (data ??= new Float32Array(floats));
    },
    at,
    perImage: floats / batch,
  };
}

/** The images outside `s` (all of them when there is no slice). */
function outside(s: Slice | undefined, batch: number): Slice[] {
  if (!s) return [{ start: 0, count: batch }];
  return [{ start: 0, count: s.start }, { start: s.start + s.count, count: batch - s.start - s.count }].filter((r) => r.count > 0);
}

function copyIn(arena: WasmArena, t: Batched, r: Slice): void {
  arena.write(t.at + r.start * t.perImage * 4, t.data.subarray(r.start * t.perImage, (r.start + r.count) * t.perImage));
}

function copyOut(arena: WasmArena, t: Batched, r: Slice): void {
  arena.readInto(t.at + r.start * t.perImage * 4, t.data, r.start * t.perImage, r.count * t.perImage);
}

/** One write per 4 KiB page: a fresh result array's first-touch page faults happen now, not in a later copy. */
function touch(t: Batched, r: Slice): void {
  const end = (r.start + r.count) * t.perImage;
  for (let i = r.start * t.perImage; i < end; i += 1024) t.data[i] = 0;
}

/** The passes for a call: split with the calling thread's share from the balance, or evenly. */
function plan(op: string, backend: Backend, g: ConvGeometry, balanced: boolean): { passes: ConvPasses; main?: Slice; key: string } {
  const key = balanceKey(op, g);
  const threads = backend.pool?.serving ? backend.pool.threads : 1;
  const share = balanced && threads > 1 ? mainImages(key, g.batch, threads) : undefined;
  const passes = convPasses(g, threadsOf(op, backend, share));
  return { passes, main: passes.slices?.[0], key };
}

/**
 * The calling thread's work around its slice, for one call of one or two passes: copy its
 * images of `inputs` in before the first pass's slice, and its images of `outputs` out after
 * the last one's (touching the pages of the rest, which the workers are still computing).
 * Each slice's time and the copying go to the balance.
 */
class SliceCopies {
  private copyMs = 0;
  private sliceMs = 0;

  constructor(
    private readonly arena: WasmArena, private readonly key: string, private readonly main: Slice, private readonly batch: number,
  ) {}

  hooks(inputs: Batched[], outputs: Batched[]): SliceHooks {
    return {
      before: () => this.timeCopy(() => inputs.forEach((t) => copyIn(this.arena, t, this.main))),
      after: () =>
        this.timeCopy(() => {
          for (const t of outputs) {
            copyOut(this.arena, t, this.main);
            for (const r of outside(this.main, this.batch)) touch(t, r);
          }
        }),
      timed: (ms) => {
        this.sliceMs += ms;
      },
    };
  }

  /** Hands the call's timing to the balance. */
  record(): void {
    if (this.sliceMs > 0) recordCall(this.key, this.main.count, this.sliceMs, this.copyMs);
  }

  private timeCopy(copy: () => void): void {
    const start = performance.now();
    copy();
    this.copyMs += performance.now() - start;
  }
}

export function convForward(
  op: string, backend: Backend, g: ConvGeometry,
  x: Float32Array, w: Float32Array, bias: Float32Array | null,
): Float32Array {
  const { passes, main, key } = plan(op, backend, g, true);
  const pass = passes.forward;
  const { kernels, arena } = backend;
  backend.pool?.wake(); // the workers poll while the inputs are copied in
  const yFloats = g.batch * g.outChannels * g.outH * g.outW;
  const at = arena.layout(op, { x: x.length, w: w.length, bias: bias ? bias.length : 0, y: yFloats, scratch: pass.scratchFloats });
  const xIn = batched(x, at.x, g.batch);
  const y = result(yFloats, at.y, g.batch);
  for (const r of outside(main, g.batch)) copyIn(arena, xIn, r);
  arena.write(at.w, w);
  if (bias) arena.write(at.bias, bias);
  const copies = main && new SliceCopies(arena, key, main, g.batch);
  pass.run(kernels, { x: at.x, w: at.w, bias: bias ? at.bias : 0, y: at.y }, at.scratch, copies?.hooks([xIn], [y]));
  copies?.record();
  for (const r of outside(main, g.batch)) copyOut(arena, y, r);
  return y.data;
}

export function convInputGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, w: Float32Array,
): Float32Array {
  const { passes, main, key } = plan(op, backend, g, true);
  const pass = passes.inputGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const dxFloats = g.batch * g.inChannels * g.inH * g.inW;
  const at = arena.layout(op, { dy: dy.length, w: w.length, dx: dxFloats, scratch: pass.scratchFloats });
  const dyIn = batched(dy, at.dy, g.batch);
  const dx = result(dxFloats, at.dx, g.batch);
  for (const r of outside(main, g.batch)) copyIn(arena, dyIn, r);
  arena.write(at.w, w);
  const copies = main && new SliceCopies(arena, key, main, g.batch);
  pass.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch, copies?.hooks([dyIn], [dx]));
  copies?.record();
  for (const r of outside(main, g.batch)) copyOut(arena, dx, r);
  return dx.data;
}

export function convFilterGradient(
  op: string, backend: Backend, g: ConvGeometry, dy: Float32Array, x: Float32Array, wFloats: number,
): { dw: Float32Array; db: Float32Array } {
  const { passes, main, key } = plan(op, backend, g, false);
  const pass = passes.filterGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const at = arena.layout(op, { dy: dy.length, x: x.length, dw: wFloats, db: g.outChannels, scratch: pass.scratchFloats });
  const inputs = [batched(dy, at.dy, g.batch), batched(x, at.x, g.batch)];
  for (const r of outside(main, g.batch)) inputs.forEach((t) => copyIn(arena, t, r));
  const copies = main && new SliceCopies(arena, key, main, g.batch);
  pass.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch, copies?.hooks(inputs, []));
  copies?.record();
  return { dw: arena.read(at.dw, wFloats), db: arena.read(at.db, g.outChannels) };
}

/**
 * All three gradients; dy is copied in once and the two passes share the scratch block. On
 * threads, dW+db split evenly and dX by the balance, so the copies are by each pass's slice.
 */
export function convBackward(
  op: string, backend: Backend, g: ConvGeometry,
  dy: Float32Array, x: Float32Array, w: Float32Array,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const even = plan(op, backend, g, false);
  // on one thread (or before the balance has seen a call) the two splits are the same
  const share = backend.pool?.serving ? mainImages(balanceKey(op, g), g.batch, backend.pool.threads) : undefined;
  const balanced = share === undefined ? even : plan(op, backend, g, true);
  const filterGradient = even.passes.filterGradient, inputGradient = balanced.passes.inputGradient;
  const { kernels, arena } = backend;
  backend.pool?.wake();
  const scratchFloats = Math.max(inputGradient.scratchFloats, filterGradient.scratchFloats);
  const at = arena.layout(op, {
    dy: dy.length, x: x.length, w: w.length, dx: x.length, dw: w.length, db: g.outChannels, scratch: scratchFloats,
  });
  const inputs = [batched(dy, at.dy, g.batch), batched(x, at.x, g.batch)];
  const dx = result(x.length, at.dx, g.batch);
  for (const r of outside(even.main, g.batch)) inputs.forEach((t) => copyIn(arena, t, r));
  arena.write(at.w, w);
  const inCopies = even.main && new SliceCopies(arena, even.key, even.main, g.batch);
  filterGradient.run(kernels, { dy: at.dy, x: at.x, dw: at.dw, db: at.db }, at.scratch, inCopies?.hooks(inputs, []));
  const outCopies = balanced.main && new SliceCopies(arena, balanced.key, balanced.main, g.batch);
  inputGradient.run(kernels, { dy: at.dy, w: at.w, dx: at.dx }, at.scratch, outCopies?.hooks([], [dx]));
  outCopies?.record();
  for (const r of outside(balanced.main, g.batch)) copyOut(arena, dx, r);
  return { dx: dx.data, dw: arena.read(at.dw, w.length), db: arena.read(at.db, g.outChannels) };
}
