// The loaded backend: which ISA is in use, its kernels and its memory. init() sets it; every
// op asks for it and gets a clear Error if init() has not resolved yet.
import { ISA_PREFERENCE, isaSupported, supportedIsas, type Isa } from './isa.js';
import {
  binaryName, isWasmSource, KERNEL_FUNCTIONS, loadKernels, WASM_OPTION_RULE, WASM_SOURCE_RULE, type KernelExports, type WasmSource,
} from './loader.js';
import { WasmArena } from './memory.js';
import { GEMM_WORK_FLOATS } from './ops/passes/gemm.js';
import { describe } from './tensor.js';
import { ThreadPool } from './threads/pool.js';
import { availableCores, threadsUnavailable } from './threads/support.js';

export interface Backend {
  kernels: KernelExports;
  arena: WasmArena;
  /** the workers of a multi-threaded backend; null when it runs on the calling thread alone */
  pool: ThreadPool | null;
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
  /**
   * Threads an op may use: 'auto' (the default) is the available cores, at most 8. Where
   * threads cannot run (no SharedArrayBuffer, a page that is not cross-origin isolated, a
   * single-thread opts.wasm) init() uses one and backend().threadsNote says why.
   */
  threads?: 'auto' | number;
}

export interface BackendInfo {
  isa: Isa;
  /** every ISA this engine validates, best first */
  supported: Isa[];
  /** bytes of WebAssembly linear memory the active backend holds */
  memoryBytes: number;
  /** threads an op may use (the calling thread and the pool's workers) */
  threads: number;
  /** why fewer threads run than init() was asked for, if they do */
  threadsNote?: string;
}

const INIT_OPTIONS = ['isa', 'wasm', 'threads'];
/** 'auto' uses at most this many threads: the batch splits finer than that rarely pay. */
const MAX_AUTO_THREADS = 8;
const MAX_THREADS = 64;
/** The key of a backend loaded from the package's own binary. */
const PACKAGE_BINARY = Symbol('package binary');

interface LoadedBackend {
  isa: Isa;
  backend: Backend;
  /** the source it was loaded from (reused while that is unchanged) */
  key: unknown;
  /** the thread count init() was asked for, and whether this environment could run them */
  requestedThreads: number;
  wantThreads: boolean;
  threadsNote?: string;
}

let active: LoadedBackend | null = null;
/** Backends loaded so far, each reused by a later init() with the same ISA, source and threads. */
const backends: LoadedBackend[] = [];

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
      throw new Error(`init: unknown option ${JSON.stringify(key)}; init takes ${INIT_OPTIONS.join(', ')}`);
    }
  }
  const requested = opts.isa ?? 'auto';
  if (requested !== 'auto' && !ISA_PREFERENCE.includes(requested)) {
    throw new Error(`init: isa must be 'auto', ${ISA_PREFERENCE.map((i) => `'${i}'`).join(', ')}; got ${describe(requested)}`);
  }
  const requestedThreads = await threadCount(opts.threads);
  const chosen = await chooseBinary(requested, opts.wasm);
  const { isa, source } = chosen;
  const key = sourceKey(source);
  const unavailable = requestedThreads > 1 ? threadsUnavailable() : null;
  const wantThreads = requestedThreads > 1 && unavailable === null;
  /** Loaded from the same source for the same ISA and threads (isa null: whichever ISA it was). */
  const sameAs = (b: LoadedBackend, sameIsa: Isa | null) =>
    b.key === key && (sameIsa === null || b.isa === sameIsa) && b.requestedThreads === requestedThreads && b.wantThreads === wantThreads;
  const reusable = backends.find((b) => sameAs(b, isa) && (b.backend.pool?.serving ?? true));
  if (reusable) {
    active = reusable;
    return;
  }
  const what = source === undefined ? `init: ${binaryName(isa!, wantThreads)}` : chosen.what;
  const loaded = await loadKernels(isa, source, what, wantThreads);
  const { kernels } = loaded;
  const binary = what.slice('init: '.length);
  if (kernels.f32_gemm_packed_work_bytes() !== GEMM_WORK_FLOATS * 4) {
    throw new Error(
      `init: ${binary} needs ${kernels.f32_gemm_packed_work_bytes()} bytes of GEMM work space but the ` +
        `TypeScript side reserves ${GEMM_WORK_FLOATS * 4}; rebuild both (npm run build)`,
    );
  }
  let pool: ThreadPool | null = null;
  let threadsNote: string | undefined;
  if (unavailable !== null) {
    threadsNote = `${requestedThreads} threads were asked for but one runs: ${unavailable}`;
  } else if (wantThreads && !loaded.threaded) {
    threadsNote = `${requestedThreads} threads were asked for but one runs: ${binary} is a single-thread build ` +
      `(pass build/wasmconv-${loaded.isa}-threads.wasm for threads)`;
  } else if (wantThreads) {
    try {
      pool = await ThreadPool.start(loaded.module, kernels.memory, kernels, requestedThreads, [...KERNEL_FUNCTIONS]);
    } catch (error) {
      throw new Error(`init: could not start ${requestedThreads - 1} worker thread(s): ${(error as Error).message}`, { cause: error });
    }
  }
  const entry: LoadedBackend = {
    isa: loaded.isa, backend: { kernels, arena: new WasmArena(kernels), pool }, key, requestedThreads, wantThreads, threadsNote,
  };
  const stale = backends.findIndex((b) => sameAs(b, entry.isa));
  if (stale >= 0) void backends.splice(stale, 1)[0].backend.pool?.dispose(); // a pool that lost a worker
  backends.push(entry);
  active = entry;
}

/** The thread count asked for: 'auto' (or nothing) is the available cores, capped. */
async function threadCount(threads: unknown): Promise<number> {
  if (threads === undefined || threads === 'auto') return Math.min(await availableCores(), MAX_AUTO_THREADS);
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`init: threads must be 'auto' or an integer from 1 to ${MAX_THREADS}; got ${describe(threads)}`);
  }
  return threads;
}

/**
 * Stops every worker thread wasmconv started and forgets the loaded backends: ops then throw
 * until init() is called again. Layers built before keep working, on one thread.
 */
export async function dispose(): Promise<void> {
  const pools = backends.map((b) => b.backend.pool).filter((pool): pool is ThreadPool => pool !== null);
  backends.length = 0;
  active = null;
  await Promise.all(pools.map((pool) => pool.dispose()));
}

/** The backend in use. */
export function backend(): BackendInfo {
  if (!active) throw new Error('backend: wasmconv is not initialised; call `await init()` first');
  const { isa, backend: b, threadsNote } = active;
  const threads = b.pool?.serving ? b.pool.threads : 1;
  const note = b.pool && !b.pool.serving ? `the thread pool stopped (${b.pool.stoppedReason}); one thread runs` : threadsNote;
  return { isa, supported: supportedIsas(), memoryBytes: b.arena.byteLength, threads, ...(note ? { threadsNote: note } : {}) };
}

/** The backend for an op, or an Error telling the caller to await init(). */
export function requireBackend(op: string): Backend {
  if (!active) throw new Error(`${op}: wasmconv is not initialised; call \`await init()\` first`);
  return active.backend;
}
