// ISA detection and choice: the probes agree with the engine on the real binaries, init()
// picks the best one, a forced ISA is used or refused (never silently replaced), and each build
// really contains its instructions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backend, conv2d, init, tensor } from '../src/index.js';
import { isaSupported, ISA_PREFERENCE } from '../src/isa.js';

const binary = (isa: string) => readFileSync(new URL(`../build/wasmconv-${isa}.wasm`, import.meta.url));
const text = (isa: string) => readFileSync(new URL(`../build/wasmconv-${isa}.wat`, import.meta.url), 'utf8');

describe('instruction sets', () => {
  it('the tiny probes agree with WebAssembly.validate on the real binaries', () => {
    for (const isa of ISA_PREFERENCE) expect(isaSupported(isa), isa).toBe(WebAssembly.validate(binary(isa)));
  });

  it('plain Node 20 validates simd without flags', () => {
    expect(isaSupported('simd')).toBe(true);
  });

  it('init() picks the best supported ISA; backend() reports it', async () => {
    await init();
    const best = ISA_PREFERENCE.find(isaSupported);
    expect(backend().isa).toBe(best);
    await init({ isa: 'auto' });
    expect(backend().isa).toBe(best);
  });

  it('init({ isa }) switches, and an unsupported ISA is refused with a clear Error', async () => {
    await init({ isa: 'scalar' });
    expect(backend().isa).toBe('scalar');
    await init({ isa: 'simd' });
    expect(backend().isa).toBe('simd');
    if (!isaSupported('relaxed-simd')) {
      await expect(init({ isa: 'relaxed-simd' })).rejects.toThrow(/init: this engine does not support isa 'relaxed-simd'.*--experimental-wasm-relaxed-simd/);
      expect(backend().isa).toBe('simd'); // refused, not silently replaced
    }
    await expect(init({ isa: 'avx' as never })).rejects.toThrow(/init: isa must be 'auto', 'relaxed-simd', 'simd', 'scalar'; got "avx"/);
    const y = conv2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1], [1, 1, 1, 1]));
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4]);
  });

  it('each build contains its own instructions and no others', () => {
    expect(text('scalar')).not.toMatch(/v128|f32x4/);
    expect(text('simd')).toMatch(/f32x4\.mul/);
    expect(text('simd')).not.toMatch(/relaxed/);
    expect(text('relaxed-simd')).toMatch(/f32x4\.relaxed_madd/);
  });
});
