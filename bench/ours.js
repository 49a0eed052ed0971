// wasmconv through its public API only, one implementation per ISA, and the float64 JS
// reference (`wasmconv/reference`) on the small shapes. Each prepare() returns, per pass, a
// case: run() does the whole call (copy in, compute, copy out), read() names its outputs for the
// check against the expected ones.
import {
  backend, conv1d, conv1dBackwardFilter, conv1dBackwardInput, conv2d, conv2dBackwardFilter, conv2dBackwardInput, init,
} from 'wasmconv';
import { conv1dBackwardRef, conv1dRef, conv2dBackwardRef, conv2dRef } from 'wasmconv/reference';
import { flopsPerPass } from './shapes.js';
import { unsupportedCases } from './unsupported.js';

/** The float64 reference runs ~0.2 GFLOP/s: only where a pass is at most this many FLOPs. */
export const REFERENCE_MAX_FLOPS = 1e8;

// dX alone, and dW with db alone: what a training step calls when one side is frozen, and the
// passes the peers' kernels (Conv2DBackpropInput / Conv2DBackpropFilter) compute.
function oursOps(shape, algorithm) {
  const opts = algorithm ? { ...shape.opts, algorithm } : shape.opts;
  return shape.x.length === 4
    ? {
        forward: (d) => conv2d(d.x, d.w, null, opts),
        dx: (d) => conv2dBackwardInput(d.dy, d.w, d.x.shape, opts),
        dw: (d) => conv2dBackwardFilter(d.dy, d.x, d.w.shape, opts),
      }
    : {
        forward: (d) => conv1d(d.x, d.w, null, opts),
        dx: (d) => conv1dBackwardInput(d.dy, d.w, d.x.shape, opts),
        dw: (d) => conv1dBackwardFilter(d.dy, d.x, d.w.shape, opts),
      };
}

const readers = {
  forward: (y) => ({ y: y.data }),
  dx: (dx) => ({ dx: dx.data }),
  dw: (g) => ({ dw: g.dw.data, db: g.db.data }),
};

/** Our outputs on one ISA, on the exact-summation path: the answers every other implementation is checked against. */
export async function expectedOutputs(isa, shape, data) {
  await init({ isa, threads: 1 });
  const ops = oursOps(shape, 'gemm');
  return Object.fromEntries(Object.entries(ops).map(([pass, op]) => [pass, readers[pass](op(data))]));
}

/** Which ISAs this engine validates (best first), asked the way src/isa.ts asks. */
export async function supportedIsas() {
  await init({ isa: 'scalar', threads: 1 });
  return backend().supported;
}

/** The row name of ours on `isa` with `threads` threads and an algorithm option: 'simd', 'simd ×2', 'simd-winograd'. */
export const oursName = (isa, threads, algorithm) => `${isa}${algorithm ? `-${algorithm}` : ''}${threads > 1 ? ` ×${threads}` : ''}`;

/** The algorithm rows of each ISA: 'winograd' in every run, 'gemm' (the exact path forced) when --impls asks for it. */
export const ALGORITHM_ROWS = ['winograd', 'gemm'];

/** Winograd (this step) computes forward and dX of 2-D 3×3, stride-1, dilation-1, ungrouped convs. */
function winogradServes(shape) {
  const { stride = 1, dilation = 1, groups = 1 } = shape.opts;
  const kernel3 = shape.x.length === 4 ? shape.w[2] === 3 && shape.w[3] === 3 : shape.w[2] === 3;
  return kernel3 && stride === 1 && dilation === 1 && groups === 1;
}

/**
 * wasmconv on `isa`; with `algorithm`, every call passes it as the algorithm option (rows
 * 'simd-winograd', 'simd-gemm'); without, the default ('auto').
 */
export function oursImpl(isa, threads = 1, algorithm = undefined) {
  return {
    name: oursName(isa, threads, algorithm),
    kind: 'ours',
    threads,
    describe: () =>
      `wasmconv ${isa}, ${threads === 1 ? 'one thread' : `${threads} threads (the batch split across a worker pool)`} ` +
      '(public API; dX: conv*dBackwardInput, dW+db: conv*dBackwardFilter)' +
      (algorithm === 'winograd' ? ", algorithm: 'winograd' (forward, dX, dW; GFLOP/s are effective: the direct conv's FLOPs ÷ time)"
        : algorithm ? `, algorithm: '${algorithm}'` : ''),
    async prepare(shape, data) {
      await init({ isa, threads });
      if (backend().isa !== isa) throw new Error(`wasmconv: asked for ${isa}, got ${backend().isa}`);
      if (backend().threads !== threads) return unsupportedCases(`not available: ${backend().threadsNote ?? `${backend().threads} threads run`}`);
      if (algorithm === 'winograd' && !winogradServes(shape)) return unsupportedCases('Winograd serves 3×3 conv2d and 3-tap conv1d with stride 1, dilation 1, groups 1');
      const ops = oursOps(shape, algorithm);
      const cases = {};
      for (const [pass, op] of Object.entries(ops)) cases[pass] = { run: () => op(data), read: readers[pass] };
      return { cases, dispose() {} };
    },
  };
}

export function referenceImpl() {
  return {
    name: 'js-reference',
    kind: 'reference',
    describe: () => 'wasmconv/reference (plain loops, float64 accumulation)',
    async prepare(shape, data) {
      const flops = flopsPerPass(shape);
      if (flops > REFERENCE_MAX_FLOPS) {
        const reason = `skipped: the reference runs only where a pass is ≤ ${REFERENCE_MAX_FLOPS.toExponential(0)} FLOP (this one ${flops.toExponential(1)})`;
        const skip = { status: 'skipped', reason };
        return { cases: { forward: skip, dx: skip, dw: skip }, dispose() {} };
      }
      const is2d = shape.x.length === 4;
      const forward = is2d ? conv2dRef : conv1dRef;
      const backward = is2d ? conv2dBackwardRef : conv1dBackwardRef;
      // The reference has no split backward: dX and dW+db come from one call, timed once and
      // shown on both rows with the FLOPs of both passes.
      const joint = {
        run: () => backward(data.dy, data.x, data.w, shape.opts),
        read: (g) => ({ dx: g.dx.data, dw: g.dw.data, db: g.db.data }),
        covers: ['dx', 'dw'],
        note: 'one joint dX+dW+db call, 2× FLOPs',
      };
      return {
        cases: {
          forward: { run: () => forward(data.x, data.w, null, shape.opts), read: (y) => ({ y: y.data }) },
          dx: joint,
          dw: joint,
        },
        dispose() {},
      };
    },
  };
}
