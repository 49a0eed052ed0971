// The loaded backend: which ISA is in use, its kernels and its memory. init() sets it; every
// op asks for it and gets a clear Error if init() has not resolved yet.
import { ISA_PREFERENCE, isaSupported, supportedIsas, type Isa } from './isa.js';
import { instantiateKernels, type KernelExports } from './loader.js';
import { WasmArena } from './memory.js';
import { GEMM_WORK_FLOATS } from './ops/passes/gemm.js';
import { describe } from './tensor.js';

export interface Backend {
  kernels: KernelExports;
  arena: WasmArena;
}

export interface InitOptions {
  isa?: 'auto' | Isa;
}

export interface BackendInfo {
  isa: Isa;
  /** every ISA this engine validates, best first */
  supported: Isa[];
  /** bytes of WebAssembly linear memory the active backend holds */
  memoryBytes: number;
}

let active: { isa: Isa; backend: Backend } | null = null;
const backends = new Map<Isa, Backend>();

/** Load the kernels: the best ISA the engine supports, or the one asked for. */
export async function init(opts: InitOptions = {}): Promise<void> {
  if (opts === null || typeof opts !== 'object') {
    throw new Error(`init: opts must be an options object, got ${describe(opts)}`);
  }
  const requested = opts.isa ?? 'auto';
  let isa: Isa;
  if (requested === 'auto') {
    isa = ISA_PREFERENCE.find(isaSupported) ?? 'scalar';
  } else if (ISA_PREFERENCE.includes(requested)) {
    if (!isaSupported(requested)) {
      const hint = requested === 'relaxed-simd' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
      throw new Error(
        `init: this engine does not support isa '${requested}'${hint}; it supports ${supportedIsas().join(', ')}`,
      );
    }
    isa = requested;
  } else {
    throw new Error(`init: isa must be 'auto', ${ISA_PREFERENCE.map((i) => `'${i}'`).join(', ')}; got ${describe(requested)}`);
  }
  let backend = backends.get(isa);
  if (!backend) {
    const kernels = await instantiateKernels(isa);
    if (kernels.f32_gemm_packed_work_bytes() !== GEMM_WORK_FLOATS * 4) {
      throw new Error(
        `init: build/wasmconv-${isa}.wasm needs ${kernels.f32_gemm_packed_work_bytes()} bytes of GEMM work space but the ` +
          `TypeScript side reserves ${GEMM_WORK_FLOATS * 4}; rebuild both (npm run build)`,
      );
    }
    backend = { kernels, arena: new WasmArena(kernels) };
    backends.set(isa, backend);
  }
  active = { isa, backend };
}

/** The backend in use. */
export function backend(): BackendInfo {
  if (!active) throw new Error('backend: wasmconv is not initialised; call `await init()` first');
  return { isa: active.isa, supported: supportedIsas(), memoryBytes: active.backend.arena.byteLength };
}

/** The backend for an op, or an Error telling the caller to await init(). */
export function requireBackend(op: string): Backend {
  if (!active) throw new Error(`${op}: wasmconv is not initialised; call \`await init()\` first`);
  return active.backend;
}
