// The loaded backend: which ISA is in use, its kernels and its memory. init() sets it; every
// op asks for it and gets a clear Error if init() has not resolved yet.
import { ISA_PREFERENCE, isaSupported, supportedIsas, type Isa } from './isa.js';
import { isWasmSource, loadKernels, WASM_OPTION_RULE, WASM_SOURCE_RULE, type KernelExports, type WasmSource } from './loader.js';
import { WasmArena } from './memory.js';
import { GEMM_WORK_FLOATS } from './ops/passes/gemm.js';
import { describe } from './tensor.js';

export interface Backend {
  kernels: KernelExports;
  arena: WasmArena;
}

/**
 * Where init() loads the kernels from, instead of the package's build/ files: one binary (its
 * build tells the ISA), a record of binaries by ISA, or a function called with the ISA chosen.
 */
export type WasmOption =
  | WasmSource
  | Partial<Record<Isa, WasmSource>>
  | ((isa: Isa) => WasmSource | Promise<WasmSource>);

export interface InitOptions {
  isa?: 'auto' | Isa;
  wasm?: WasmOption;
}

export interface BackendInfo {
  isa: Isa;
  /** every ISA this engine validates, best first */
  supported: Isa[];
  /** bytes of WebAssembly linear memory the active backend holds */
  memoryBytes: number;
}

const INIT_OPTIONS = ['isa', 'wasm'];
/** The key of a backend loaded from the package's own binary. */
const PACKAGE_BINARY = Symbol('package binary');

let active: { isa: Isa; backend: Backend } | null = null;
/** One instance per ISA, with the source it was loaded from (reused while that is unchanged). */
const backends = new Map<Isa, { backend: Backend; key: unknown }>();

/** Strings and URLs compare by text; bytes, modules and responses by identity. */
const sourceKey = (source: WasmSource | undefined): unknown =>
  source === undefined ? PACKAGE_BINARY : source instanceof URL ? source.href : source;

/** Throws unless the engine validates `isa`. */
function requireEngineSupport(isa: Isa): Isa {
  if (!isaSupported(isa)) {
    const hint = isa === 'relaxed-simd' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
    throw new Error(`init: this engine does not support isa '${isa}'${hint}; it supports ${supportedIsas().join(', ')}`);
  }
  return isa;
}

const bestSupported = (): Isa => ISA_PREFERENCE.find(isaSupported) ?? 'scalar';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** Which binary to load: the ISA (null: read from the binary), the source (none: the package's own), its name in errors. */
async function chooseBinary(requested: 'auto' | Isa, wasm: unknown): Promise<{ isa: Isa | null; source?: WasmSource; what: string }> {
  if (wasm === undefined) {
    const isa = requested === 'auto' ? bestSupported() : requireEngineSupport(requested);
    return { isa, what: `init: build/wasmconv-${isa}.wasm` };
  }
  if (isWasmSource(wasm)) {
    return { isa: requested === 'auto' ? null : requireEngineSupport(requested), source: wasm, what: 'init: opts.wasm' };
  }
  if (typeof wasm === 'function') {
    const isa = requested === 'auto' ? bestSupported() : requireEngineSupport(requested);
    const what = `init: opts.wasm('${isa}')`;
    const source: unknown = await (wasm as (isa: Isa) => unknown)(isa);
    if (!isWasmSource(source)) throw new Error(`${what} returned ${describe(source)}; it must return ${WASM_SOURCE_RULE}`);
    return { isa, source, what };
  }
  if (isPlainObject(wasm)) {
    for (const [key, value] of Object.entries(wasm)) {
      if (!ISA_PREFERENCE.includes(key as Isa)) {
        throw new Error(`init: opts.wasm has a key ${JSON.stringify(key)}; a record's keys must be ISAs: ${ISA_PREFERENCE.map((i) => `'${i}'`).join(', ')}`);
      }
      if (value !== undefined && !isWasmSource(value)) {
        throw new Error(`init: opts.wasm['${key}'] is ${describe(value)}; it must be ${WASM_SOURCE_RULE}`);
      }
    }
    const given = ISA_PREFERENCE.filter((isa) => wasm[isa] !== undefined);
    let isa: Isa;
    if (requested === 'auto') {
      const usable = given.find(isaSupported);
      if (usable === undefined) {
        throw new Error(
          `init: opts.wasm has ${given.length > 0 ? `builds for ${given.join(', ')} only` : 'no builds'}, and this engine supports ${supportedIsas().join(', ')}`,
        );
      }
      isa = usable;
    } else {
      isa = requireEngineSupport(requested);
      if (!given.includes(isa)) {
        throw new Error(`init: isa '${isa}' was asked for but opts.wasm has no build for it (it has ${given.join(', ') || 'none'})`);
      }
    }
    return { isa, source: wasm[isa] as WasmSource, what: `init: opts.wasm['${isa}']` };
  }
  throw new Error(`init: opts.wasm must be ${WASM_OPTION_RULE}; got ${describe(wasm)}`);
}

/** Load the kernels: the best ISA the engine supports, or the one asked for; from opts.wasm if given. */
export async function init(opts: InitOptions = {}): Promise<void> {
  if (opts === null || typeof opts !== 'object') {
    throw new Error(`init: opts must be an options object, got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!INIT_OPTIONS.includes(key)) {
      throw new Error(`init: unknown option ${JSON.stringify(key)}; init takes ${INIT_OPTIONS.join(' and ')}`);
    }
  }
  const requested = opts.isa ?? 'auto';
  if (requested !== 'auto' && !ISA_PREFERENCE.includes(requested)) {
    throw new Error(`init: isa must be 'auto', ${ISA_PREFERENCE.map((i) => `'${i}'`).join(', ')}; got ${describe(requested)}`);
  }
  const { isa, source, what } = await chooseBinary(requested, opts.wasm);
  const key = sourceKey(source);
  const cached = isa === null
    ? [...backends.entries()].find(([, entry]) => entry.key === key)
    : backends.get(isa)?.key === key ? ([isa, backends.get(isa)!] as const) : undefined;
  if (cached) {
    active = { isa: cached[0], backend: cached[1].backend };
    return;
  }
  const loaded = await loadKernels(isa, source, what);
  const { kernels } = loaded;
  const binary = what.slice('init: '.length);
  if (kernels.f32_gemm_packed_work_bytes() !== GEMM_WORK_FLOATS * 4) {
    throw new Error(
      `init: ${binary} needs ${kernels.f32_gemm_packed_work_bytes()} bytes of GEMM work space but the ` +
        `TypeScript side reserves ${GEMM_WORK_FLOATS * 4}; rebuild both (npm run build)`,
    );
  }
  const backend = { kernels, arena: new WasmArena(kernels) };
  backends.set(loaded.isa, { backend, key });
  active = { isa: loaded.isa, backend };
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
