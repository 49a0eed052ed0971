import { defineConfig } from 'vitest/config';

// Two projects: Node 20 validates relaxed SIMD only behind a flag, so its tests run in workers
// started with --experimental-wasm-relaxed-simd; everything else runs in plain workers.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/isa-relaxed.test.ts'],
          env: { WASMCONV_TEST_ISAS: 'scalar,simd' },
        },
      },
      {
        test: {
          name: 'relaxed-simd',
          include: ['test/fuzz.test.ts', 'test/cases.test.ts', 'test/gemm-kernel.test.ts', 'test/worked-example.test.ts', 'test/isa-relaxed.test.ts', 'test/nn-gradients.test.ts', 'test/nn-model.test.ts'],
          execArgv: ['--experimental-wasm-relaxed-simd'],
          env: { WASMCONV_TEST_ISAS: 'relaxed-simd' },
        },
      },
    ],
  },
});
