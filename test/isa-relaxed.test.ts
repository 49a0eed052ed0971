// Runs only in the 'relaxed-simd' vitest project (workers started with
// --experimental-wasm-relaxed-simd): relaxed SIMD must then be available and chosen by default.
// If it is not, this fails rather than letting that ISA's fuzz run be skipped.
import { describe, expect, it } from 'vitest';
import { backend, init } from '../src/index.js';
import { isaSupported } from '../src/isa.js';

describe('relaxed SIMD under the Node flag', () => {
  it('is validated, picked by init(), and forced by init({ isa })', async () => {
    expect(process.execArgv).toContain('--experimental-wasm-relaxed-simd');
    expect(isaSupported('relaxed-simd')).toBe(true);
    await init();
    expect(backend().isa).toBe('relaxed-simd');
    await init({ isa: 'simd' });
    await init({ isa: 'relaxed-simd' });
    expect(backend().isa).toBe('relaxed-simd');
  });
});
