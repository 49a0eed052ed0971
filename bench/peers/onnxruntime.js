// ONNX Runtime Web (wasm backend, one thread), forward only: its inference build has no Conv
// gradient kernels. The model is one Conv node with the weights as an initializer, encoded in
// code with onnx-proto; the .wasm comes from node_modules, nothing is fetched.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { unsupportedCases } from '../unsupported.js';

const { onnx } = onnxProto;
const require = createRequire(import.meta.url);
const WASM_DIR = dirname(require.resolve('onnxruntime-web')) + '/';
const INTS = onnx.AttributeProto.AttributeType.INTS;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Bytes of an ONNX model: Y = Conv(X, W) with the shape's kernel, pads, strides and group. */
export function convModel(shape, wData) {
  const spatial = shape.x.length - 2;
  const p = shape.opts.padding ?? 0, s = shape.opts.stride ?? 1;
  const attribute = [
    { name: 'kernel_shape', type: INTS, ints: shape.w.slice(2) },
    { name: 'pads', type: INTS, ints: new Array(2 * spatial).fill(p) }, // [begins..., ends...]
    { name: 'strides', type: INTS, ints: new Array(spatial).fill(s) },
    { name: 'dilations', type: INTS, ints: new Array(spatial).fill(1) },
    { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: shape.opts.groups ?? 1 },
  ];
  const w = new Float32Array(wData); // own buffer: rawData takes the bytes as they lie
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'wasmconv-bench',
    graph: {
      name: 'conv',
      node: [{ opType: 'Conv', input: ['X', 'W'], output: ['Y'], attribute }],
      initializer: [{ name: 'W', dims: shape.w, dataType: FLOAT, rawData: new Uint8Array(w.buffer) }],
      input: [{ name: 'X', type: { tensorType: { elemType: FLOAT, shape: { dim: shape.x.map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: 'Y', type: { tensorType: { elemType: FLOAT } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function onnxruntimeImpl() {
  const name = 'onnxruntime-web';
  return {
    name,
    kind: 'peer',
    async init() {
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.wasmPaths = WASM_DIR;
      ort.env.logLevel = 'error';
    },
    describe: () => `onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm backend, 1 thread)`,
    async prepare(shape, data) {
      const session = await ort.InferenceSession.create(convModel(shape, data.w.data), {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      });
      const x = new ort.Tensor('float32', data.x.data, shape.x);
      const unsupported = { status: 'unsupported', reason: 'not supported: onnxruntime-web is inference-only (no Conv gradient kernels)' };
      return {
        cases: {
          forward: {
            run: async () => {
              const { Y } = await session.run({ X: x });
              const y = Y.data; // already copied out of the Wasm heap
              Y.dispose();
              return y;
            },
            read: (y) => ({ y }),
          },
          dx: unsupported,
          dw: unsupported,
        },
        dispose: () => session.release(),
      };
    },
  };
}

/**
 * onnxruntime-web with several threads. Its thread count is fixed when the runtime first loads,
 * so it cannot be timed in the process that times it on one thread, and in Node it does not
 * use them anyway: with numThreads 2 the S4 forward ran at the one-thread speed and used 0.94
 * CPU-seconds per wall-second (Node 20, onnxruntime-web 1.30, measured 2026-11-25). The row
 * says so rather than timing a one-thread run under a two-thread name.
 */
export function onnxruntimeThreadedImpl(threads) {
  const reason = 'not supported in Node: onnxruntime-web accepts numThreads 2 but runs on one core ' +
    '(S4 forward: one-thread speed, 0.94 CPU-s per wall-s); it threads only in cross-origin isolated browsers';
  return {
    name: `onnxruntime-web ×${threads}`,
    kind: 'peer',
    threads,
    describe: () => `onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm backend, ${threads} threads)`,
    prepare: async () => unsupportedCases(reason),
  };
}
