// Which ISAs this vitest project tests. The 'node' project runs scalar and simd; the
// 'relaxed-simd' project runs under --experimental-wasm-relaxed-simd (Node 20 needs the flag)
// and tests relaxed-simd. An ISA listed here that the engine lacks fails the run: none is
// skipped silently.
import type { Isa } from '../../src/isa.js';

export const TEST_ISAS: Isa[] = (process.env.WASMCONV_TEST_ISAS ?? 'scalar,simd').split(',') as Isa[];
