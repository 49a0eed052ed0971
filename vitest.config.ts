import { defineConfig } from 'vitest/config';

// Three projects: Node 20 validates relaxed SIMD only behind a flag, so its tests run in workers
// started with --experimental-wasm-relaxed-simd; 'browser' drives Debian's Chromium through
// playwright-core (test/browser); everything else runs in plain workers.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/isa-relaxed.test.ts', 'test/browser/**', 'test/package/**'],
          env: { WASMCONV_TEST_ISAS: 'scalar,simd' },
        },
      },
      {
        test: {
          name: 'relaxed-simd',
          include: [
            'test/activations.test.ts',
            'test/cases.test.ts',
            'test/conv-activation.test.ts',
            'test/conv-transpose.test.ts',
            'test/dwconv-3x3.test.ts',
            'test/fuzz.test.ts',
            'test/fold-batchnorm.test.ts',
            'test/gemm-kernel.test.ts',
            'test/gemm-nt-bias-kernels.test.ts',
            'test/gemm-panel-groups.test.ts',
            'test/graph-fusion.test.ts',
            'test/graph-fuzz.test.ts',
            'test/graph-layers-extra.test.ts',
            'test/graph-layers.test.ts',
            'test/graph-threads.test.ts',
            'test/graph.test.ts',
            'test/init-wasm.test.ts',
            'test/isa-relaxed.test.ts',
            'test/maxpool.test.ts',
            'test/mobilenet.test.ts',
            'test/nn-gradients.test.ts',
            'test/nn-model.test.ts',
            'test/nn-training-pieces.test.ts',
            'test/onnx-activations.test.ts',
            'test/onnx-arithmetic.test.ts',
            'test/onnx-conv-transpose.test.ts',
            'test/onnx-export.test.ts',
            'test/onnx-import.test.ts',
            'test/onnx-layout-ops.test.ts',
            'test/onnx-models-ort-web.test.ts',
            'test/prepared.test.ts',
            'test/resnet.test.ts',
            'test/tfjs-conv.test.ts',
            'test/tfjs-training.test.ts',
            'test/tfjs-wasm.test.ts',
            'test/threads-small-batch.test.ts',
            'test/threads.test.ts',
            'test/winograd.test.ts',
            'test/winograd1d.test.ts',
            'test/worked-example.test.ts',
          ],
          execArgv: ['--experimental-wasm-relaxed-simd'],
          env: { WASMCONV_TEST_ISAS: 'relaxed-simd' },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // building the page, starting the server and the browser happen in beforeAll; the demo
          // test trains for 300 steps. Generous limits for a shared machine: nothing is timed.
          hookTimeout: 120_000,
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'package',
          // packs a clean copy (a full build), installs the tarball, bundles it, runs Chromium
          include: ['test/package/**/*.test.ts'],
          hookTimeout: 600_000,
          testTimeout: 300_000,
        },
      },
    ],
  },
});
