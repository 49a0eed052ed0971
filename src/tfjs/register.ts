// registerWasmconv: puts wasmconv's conv kernels in place of a tfjs backend's own, in tfjs's
// global kernel registry; tfjs's gradient registry (Conv2D's gradient calls the
// Conv2DBackpropInput and Conv2DBackpropFilter kernels, and so on) then reaches them through
// model.fit, tf.grads and optimizer.minimize with nothing else changed. unregisterWasmconv
// puts the backend's own kernels back.
import { backend, init, type InitOptions } from '../runtime.js';
import { describe } from '../tensor.js';
import { elementwiseKernels } from './elementwise.js';
import { gatherKernel } from './gather.js';
import { CONV2D, convKernels, DEPTHWISE, fusedConv2dKernel } from './kernels.js';
import { matMulKernels } from './matmul.js';
import { maxPoolKernels } from './pooling.js';
import { disposeRecyclers } from './recycle.js';
import { sumKernel } from './reduce.js';
import { RELU_GRAD, reluGradGradient, reluGradient, reluGradKernel } from './relu-grad.js';
import { cpuStorage, wasmStorage, type TensorStorage } from './storage.js';
import type { GradConfig, KernelConfig, KernelFunc, Tfjs } from './types.js';

/** Passed to wasmconv's init(): which ISA, how many threads, where the binaries are. */
export type WasmconvTfjsOptions = Pick<InitOptions, 'isa' | 'threads' | 'wasm'>;

export interface Registration {
  /** the tfjs backends whose conv kernels are now wasmconv's */
  backends: string[];
  /** the kernel names replaced (or added), on any of them */
  kernels: string[];
  /** the kernel names replaced (or added) on each backend */
  byBackend: Record<string, string[]>;
}

type StorageOf = (backend: unknown) => TensorStorage;
/** The backend's own kernel of that name, as it was before registerWasmconv (for what ours hand back). */
type Own = (kernelName: string) => KernelFunc | undefined;

/** The kernels every served backend gets: the convolutions. */
function convs(tf: Tfjs, storage: StorageOf, own: Own): Record<string, KernelFunc> {
  return {
    ...convKernels(tf, CONV2D, storage),
    ...convKernels(tf, DEPTHWISE, storage),
    FusedConv2D: fusedConv2dKernel(tf, storage, () => own('FusedConv2D')),
    FusedDepthwiseConv2D: fusedConv2dKernel(tf, storage, () => own('FusedDepthwiseConv2D'), DEPTHWISE),
  };
}

/**
 * The backends served: how to reach each one's storage, and its kernels. On cpu, once the convs
 * are wasmconv's, tfjs's own JavaScript pooling, element-wise, reduction and matmul kernels, and
 * the GatherV2 that model.fit picks each batch with, are most of a training step (docs/tfjs.md,
 * *Speed*): those are replaced too. tfjs-wasm's own (XNNPACK and C++) are faster than these
 * JavaScript ones behind its heap copies: it keeps them.
 */
const BACKENDS: Record<string, { storage: StorageOf; kernels: (tf: Tfjs, storage: StorageOf, own: Own) => Record<string, KernelFunc> }> = {
  cpu: {
    storage: cpuStorage,
    kernels: (tf, storage, own) => ({
      ...convs(tf, storage, own), ...maxPoolKernels(tf, storage, own), ...elementwiseKernels(tf, storage, own), Sum: sumKernel(storage, own),
      GatherV2: gatherKernel(tf, storage, own),
      ...matMulKernels(storage, own),
      // ReLU's gradient in one kernel (relu-grad.ts): registerWasmconv puts the Relu gradient that runs it
      [RELU_GRAD]: reluGradKernel(storage),
    }),
  },
  wasm: { storage: wasmStorage, kernels: convs },
};
const OPTIONS = ['isa', 'threads', 'wasm'];

/** What each replaced registry entry held before ('backend_kernel' → its config, null if none). */
const originals = new Map<string, { tf: Tfjs; kernelName: string; backendName: string; config: object | null }>();
/** tfjs's own Relu gradient, while ours is in its place. */
let ownReluGradient: { tf: Tfjs; config: GradConfig } | null = null;

/**
 * Registers wasmconv's Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, the three
 * DepthwiseConv2dNative kernels, FusedConv2D and FusedDepthwiseConv2D (and on cpu MaxPool, MaxPoolGrad, Add, Multiply,
 * Relu, Step, Sum, GatherV2, BatchMatMul and _FusedMatMul, and WasmconvReluGrad with the Relu
 * gradient that runs it) for each supported tfjs backend that is loaded (the backend's
 * package registers its kernels when imported: import it first). Initialises wasmconv when `opts`
 * is given (init(opts)) or when it is not initialised yet (init()); otherwise keeps the backend
 * init() chose. Calling it again is harmless.
 */
export async function registerWasmconv(tf: Tfjs, opts?: WasmconvTfjsOptions): Promise<Registration> {
  const namespace = tf as unknown as { [name: string]: unknown; backend_util?: Record<string, unknown> } | null;
  const functions = ['registerKernel', 'unregisterKernel', 'getKernel', 'registerGradient', 'getGradient', 'getBackend', 'engine'].map((name) => namespace?.[name]);
  if (!functions.every((f) => typeof f === 'function') || typeof namespace?.backend_util?.computeConv2DInfo !== 'function') {
    throw new Error(`registerWasmconv: tf must be the TensorFlow.js namespace (import * as tf from '@tensorflow/tfjs'), got ${describe(tf)}`);
  }
  if (opts !== undefined) {
    if (opts === null || typeof opts !== 'object') throw new Error(`registerWasmconv: opts must be an options object, got ${describe(opts)}`);
    const unknown = Object.keys(opts).find((key) => !OPTIONS.includes(key));
    if (unknown !== undefined) throw new Error(`registerWasmconv: unknown option '${unknown}'; the options are ${OPTIONS.join(', ')} (passed to init)`);
    await init(opts);
  } else if (!initialised()) {
    await init();
  }
  const loaded = Object.keys(BACKENDS).filter((name) => tf.getKernel(CONV2D.forward, name) !== undefined);
  if (loaded.length === 0) {
    throw new Error(
      `registerWasmconv: none of the tfjs backends wasmconv serves (${Object.keys(BACKENDS).join(', ')}) is loaded; ` +
        `import @tensorflow/tfjs (or @tensorflow/tfjs-backend-cpu, or @tensorflow/tfjs-backend-wasm) before calling it`,
    );
  }
  const kernels: string[] = [];
  const byBackend: Record<string, string[]> = {};
  for (const backendName of loaded) {
    const { storage, kernels: kernelsOf } = BACKENDS[backendName];
    const own: Own = (kernelName) => (originals.get(`${backendName}_${kernelName}`)?.config as KernelConfig | null | undefined)?.kernelFunc;
    const funcs = kernelsOf(tf, storage, own);
    byBackend[backendName] = Object.keys(funcs);
    for (const [kernelName, kernelFunc] of Object.entries(funcs)) {
      replaceKernel(tf, backendName, kernelName, kernelFunc);
      if (!kernels.includes(kernelName)) kernels.push(kernelName);
    }
  }
  // the Relu gradient that runs WasmconvReluGrad where it is registered (tfjs's own elsewhere)
  const relu = tf.getGradient('Relu') as GradConfig | undefined;
  if (kernels.includes(RELU_GRAD) && relu !== undefined) {
    if (ownReluGradient === null) ownReluGradient = { tf, config: relu };
    tf.registerGradient(reluGradient(tf, ownReluGradient.config));
    tf.registerGradient(reluGradGradient(tf));
  }
  return { backends: loaded, kernels, byBackend };
}

/** Puts back every kernel registerWasmconv replaced (and removes those it added). */
export function unregisterWasmconv(): void {
  for (const { tf, kernelName, backendName, config } of originals.values()) {
    if (tf.getKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
    if (config !== null) tf.registerKernel(config as KernelConfig);
  }
  originals.clear();
  disposeRecyclers();
  if (ownReluGradient !== null) {
    // (WasmconvReluGrad's own gradient stays: with the kernel gone, nothing reaches it)
    ownReluGradient.tf.registerGradient(ownReluGradient.config);
    ownReluGradient = null;
  }
}

function replaceKernel(tf: Tfjs, backendName: string, kernelName: string, kernelFunc: KernelFunc): void {
  const key = `${backendName}_${kernelName}`;
  const current = tf.getKernel(kernelName, backendName);
  if (!originals.has(key)) originals.set(key, { tf, kernelName, backendName, config: current ?? null });
  const original = originals.get(key)!.config;
  // unregister first: registerKernel warns about (and keeps) a duplicate
  if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
  // the original's setupFunc/disposeFunc still run when the backend starts and stops
  tf.registerKernel({ ...original, kernelName, backendName, kernelFunc });
}

/** Whether init() has resolved (backend() throws until it has). */
function initialised(): boolean {
  try {
    backend();
    return true;
  } catch {
    return false;
  }
}
