// Which instruction sets this engine can run, asked with WebAssembly.validate on tiny modules
// (never assumed from the engine's name or version).

export type Isa = 'relaxed-simd' | 'simd' | 'scalar';

/** Best first: init() picks the first one the engine validates. */
export const ISA_PREFERENCE: readonly Isa[] = ['relaxed-simd', 'simd', 'scalar'];

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
// One type: () -> v128; one function of that type.
const TYPE_AND_FUNCTION = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function moduleWithBody(body: number[]): Uint8Array<ArrayBuffer> {
  const fn = [0x00, ...body, 0x0b]; // no locals, body, end
  const code = [0x01, fn.length, ...fn];
  return new Uint8Array([...HEADER, ...TYPE_AND_FUNCTION, 0x0a, code.length, ...code]);
}

/** (func (result v128) (v128.const i32x4 0 0 0 0)) */
const SIMD_PROBE = moduleWithBody(V128_ZERO);
/** (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))) */
const RELAXED_SIMD_PROBE = moduleWithBody([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]);

const probed = new Map<Isa, boolean>();

export function isaSupported(isa: Isa): boolean {
  let supported = probed.get(isa);
  if (supported === undefined) {
    supported = probe(isa);
    probed.set(isa, supported);
  }
  return supported;
}

function probe(isa: Isa): boolean {
  if (typeof WebAssembly !== 'object') return false;
  switch (isa) {
    case 'scalar':
      return true;
    case 'simd':
      return WebAssembly.validate(SIMD_PROBE);
    case 'relaxed-simd':
      return WebAssembly.validate(SIMD_PROBE) && WebAssembly.validate(RELAXED_SIMD_PROBE);
  }
}

/** The instruction sets this engine validates, best first. */
export function supportedIsas(): Isa[] {
  return ISA_PREFERENCE.filter(isaSupported);
}
