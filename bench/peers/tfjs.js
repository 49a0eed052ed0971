// TensorFlow.js peers: tfjs-backend-cpu (plain JS) and tfjs-backend-wasm (XNNPACK, its SIMD
// build, one thread). The op kernels are called directly: tf.conv2d / tf.depthwiseConv2d
// forward, Conv2DBackpropInput / Conv2DBackpropFilter (depthwise: DepthwiseConv2dNative…) via
// runKernel, db via tf.sum. No tf.tidy (it slows the wasm path ~8×): outputs are disposed by hand.
// Our NCHW/OIHW data is converted to NHWC/HWIO once per shape, outside the timed bodies; a 1-D
// conv is a 2-D one with unit height, as tf.conv1d does internally.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fromHwio, fromNhwc, toHwio, toNhwc } from '../layout.js';
import { flopsPerPass, outputSizes } from '../shapes.js';
import { unsupportedCases } from '../unsupported.js';

const require = createRequire(import.meta.url);
// The .wasm files inside node_modules: nothing is fetched at run time.
const WASM_DIR = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';

/**
 * tfjs-backend-cpu's Conv2DBackpropFilter is a scalar JS loop nest: 0.010–0.014 GFLOP/s on the
 * 2-core development machine (one call: S1 2.1 s, S2 32 s, S3 46 s, S5 21 s, S7 2.2 s; S8 257 s
 * on a busy machine; Node 20). Used only to decide, before calling it, whether one call would
 * blow the time budget.
 */
const CPU_BACKPROP_FILTER_GFLOPS = 0.012;

let configured = false;
function configure() {
  if (configured) return;
  configured = true;
  tf.enableProdMode(); // no debug checks, no Node banner
  setWasmPaths(WASM_DIR);
  setThreadsCount(1); // XNNPACK's pool: one thread like every other row
}

function geometry(shape) {
  const is2d = shape.x.length === 4;
  const xNchw = is2d ? shape.x : [shape.x[0], shape.x[1], 1, shape.x[2]];
  const wOihw = is2d ? shape.w : [shape.w[0], shape.w[1], 1, shape.w[2]];
  const out = outputSizes(shape);
  const yNchw = is2d ? [shape.x[0], shape.w[0], ...out] : [shape.x[0], shape.w[0], 1, out[0]];
  const p = shape.opts.padding ?? 0, s = shape.opts.stride ?? 1;
  const groups = shape.opts.groups ?? 1;
  if (typeof p !== 'number') throw new Error('bench/peers/tfjs: shapes use symmetric integer padding');
  if (groups !== 1 && groups !== xNchw[1]) throw new Error('bench/peers/tfjs: tfjs has grouped convs only as depthwise');
  return {
    xNchw, wOihw, yNchw,
    strides: is2d ? [s, s] : [1, s],
    // explicit padding: a number would also pad the unit height of a 1-D conv
    pad: [[0, 0], is2d ? [p, p] : [0, 0], [p, p], [0, 0]],
    depthwise: groups > 1,
  };
}

const KERNELS = {
  conv: { forward: ['Conv2D'], dx: ['Conv2DBackpropInput'], dw: ['Conv2DBackpropFilter', 'Sum'] },
  depthwise: {
    forward: ['DepthwiseConv2dNative'],
    dx: ['DepthwiseConv2dNativeBackpropInput'],
    dw: ['DepthwiseConv2dNativeBackpropFilter', 'Sum'],
  },
};

/** Reads a result and frees it: the read is part of the timed work. */
function take(t) {
  const data = t.dataSync();
  t.dispose();
  return data;
}

/** @param {'cpu' | 'wasm'} backendName */
export function tfjsImpl(backendName) {
  const name = `tfjs-${backendName}`;
  return {
    name,
    kind: 'peer',
    async init() {
      configure();
      if (!(await tf.setBackend(backendName))) throw new Error(`${name}: tf.setBackend('${backendName}') failed`);
      if (backendName === 'wasm') {
        if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error(`${name}: the SIMD build did not load`);
        if (getThreadsCount() !== 1) throw new Error(`${name}: runs ${getThreadsCount()} threads, want 1`);
      }
    },
    describe: () =>
      `@tensorflow/tfjs-backend-${backendName} ${tf.version_core}` + (backendName === 'wasm' ? ' (SIMD build, 1 thread)' : ''),
    async prepare(shape, data) {
      await tf.setBackend(backendName);
      const g = geometry(shape);
      const xNhwc = toNhwc(data.x.data, g.xNchw);
      const dyNhwc = toNhwc(data.dy.data, g.yNchw);
      const wHwio = toHwio(data.w.data, g.wOihw); // depthwise: [KH,KW,1,O] = [KH,KW,C,1] in memory
      const wShape = g.depthwise ? [g.wOihw[2], g.wOihw[3], g.wOihw[0], 1] : wHwio.shape;
      const x = tf.tensor4d(xNhwc.data, xNhwc.shape);
      const w = tf.tensor4d(wHwio.data, wShape);
      const dy = tf.tensor4d(dyNhwc.data, dyNhwc.shape);
      const { strides, pad } = g;
      const dilations = [1, 1];

      const forward = g.depthwise
        ? () => take(tf.depthwiseConv2d(x, w, strides, pad, 'NHWC'))
        : () => take(tf.conv2d(x, w, strides, pad, 'NHWC'));
      const dx = g.depthwise
        ? () => take(tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides, dilations, pad, inputShape: x.shape }))
        : () => take(tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape: x.shape }));
      const dwKernel = g.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter';
      const dwAttrs = g.depthwise ? { strides, dilations, pad, filterShape: w.shape } : { strides, pad, dataFormat: 'NHWC', filterShape: w.shape };
      const dw = () => ({ dw: take(tf.engine().runKernel(dwKernel, { x, dy }, dwAttrs)), db: take(tf.sum(dy, [0, 1, 2])) });

      const hwio = [g.wOihw[2], g.wOihw[3], g.wOihw[1], g.wOihw[0]];
      const cases = {
        forward: { run: forward, read: (y) => ({ y: fromNhwc(y, [g.yNchw[0], g.yNchw[2], g.yNchw[3], g.yNchw[1]]).data }) },
        dx: { run: dx, read: (d) => ({ dx: fromNhwc(d, xNhwc.shape).data }) },
        dw: { run: dw, read: (r) => ({ dw: fromHwio(r.dw, hwio).data, db: r.db }) },
      };
      if (backendName === 'cpu' && !g.depthwise) {
        cases.dw.estimate = {
          ms: (flopsPerPass(shape) / (CPU_BACKPROP_FILTER_GFLOPS * 1e9)) * 1e3,
          basis: `Conv2DBackpropFilter ≈ ${CPU_BACKPROP_FILTER_GFLOPS} GFLOP/s`,
        };
      }
      // A kernel this backend does not register is a row of its own, never a silent fallback.
      for (const [pass, kernels] of Object.entries(KERNELS[g.depthwise ? 'depthwise' : 'conv'])) {
        const missing = kernels.filter((k) => !tf.getKernel(k, backendName));
        if (missing.length) cases[pass] = { status: 'unsupported', reason: `not supported: ${name} registers no ${missing.join(', ')} kernel` };
      }
      return { cases, dispose: () => tf.dispose([x, w, dy]) };
    },
  };
}

/**
 * tfjs-backend-wasm on several threads: its threaded build runs only in browsers. In Node it
 * turns multi-threading off itself (flag WASM_HAS_MULTITHREAD_SUPPORT is false under IS_NODE,
 * tfjs issue #3830); forcing the flag on makes setBackend('wasm') fail, because Emscripten
 * starts its pthreads from a blob: URL, which Node's Worker refuses (ERR_WORKER_PATH). So the
 * row says so instead of timing a one-thread run under a two-thread name.
 */
export function tfjsWasmThreadedImpl(threads) {
  const reason = 'not supported: tfjs-backend-wasm runs its threaded build only in browsers (in Node it disables threads itself, ' +
    'and forcing them fails: its workers start from blob: URLs, which Node refuses)';
  return {
    name: `tfjs-wasm ×${threads}`,
    kind: 'peer',
    threads,
    describe: () => `@tensorflow/tfjs-backend-wasm ${tf.version_core} with ${threads} threads`,
    prepare: async () => unsupportedCases(reason),
  };
}
