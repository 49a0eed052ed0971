// Finds, compiles and instantiates the kernel binary for an instruction set: the package's own
// build next to this file, or whatever the user passed as init({ wasm }) (a URL, a path, bytes,
// a compiled WebAssembly.Module or a fetch Response). Compiles of the package's own binaries are
// cached per ISA, so init() can be called again (to switch ISA) without recompiling.
import { ISA_PREFERENCE, supportedIsas, type Isa } from './isa.js';
import { isNode } from './environment.js';

/** The kernel module's exports (see assembly/index.ts). Pointers and strides are byte offsets. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  /** 0 scalar, 1 simd, 2 relaxed-simd: the build this binary is */
  kernel_isa(): number;
  f32_gemm(
    m: number, n: number, k: number,
    a: number, aRowStride: number, aColStride: number,
    b: number, bRowStride: number,
    c: number, cRowStride: number,
    accumulate: number,
  ): void;
  /** C[m×n] (= or +=) A[m×k]·B[n×k]ᵀ, both k-contiguous (byte row strides): y = x·Wᵀ with W read in place */
  f32_gemm_nt(
    m: number, n: number, k: number,
    a: number, aRowStride: number,
    b: number, bRowStride: number,
    c: number, cRowStride: number,
    accumulate: number,
  ): void;
  /** pack A[m×k] (byte strides) into blocks of 4 rows: out[i/4][p][i%4], zero-padded */
  f32_pack_a_x4(m: number, k: number, a: number, aRowStride: number, aColStride: number, out: number): void;
  /** C[m×n] (= or +=) Apacked · B[k×n] (B through two byte strides); `work` holds f32_gemm_packed_work_bytes() */
  f32_gemm_packed(
    m: number, n: number, k: number,
    aPacked: number,
    b: number, bRowStride: number, bColStride: number,
    c: number, cRowStride: number,
    accumulate: number,
    work: number,
  ): void;
  /** C[m×n] = bias[m] broadcast along rows (0 = none) + Apacked · B: f32_gemm_packed without a pass to fill C first */
  f32_gemm_packed_bias(
    m: number, n: number, k: number,
    aPacked: number,
    b: number, bRowStride: number, bColStride: number,
    bias: number, c: number, cRowStride: number,
    work: number,
  ): void;
  f32_gemm_packed_work_bytes(): number;
  /** f32_gemm_packed with B = col(X) gathered from a padded image (forward) */
  f32_gemm_im2col(
    m: number, n: number, k: number, aPacked: number,
    xPadded: number, tapOffsets: number, outW: number, strideH: number, strideW: number, paddedW: number,
    c: number, cRowStride: number, accumulate: number, work: number,
  ): void;
  /** f32_gemm_packed with B = row(X) gathered from a padded image (weight gradient) */
  f32_gemm_im2row(
    m: number, n: number, k: number, aPacked: number,
    xPadded: number, tapOffsets: number, outW: number, strideH: number, strideW: number, paddedW: number,
    c: number, cRowStride: number, accumulate: number, work: number,
  ): void;
  f32_pad_image(x: number, channels: number, height: number, width: number,
    padTop: number, padLeft: number, paddedH: number, paddedW: number, out: number): void;
  /** weights of the transposed conv: out[g][c][o][t] = w[g][o][c][taps−1−t] */
  f32_flip_weights(w: number, groups: number, groupOut: number, groupIn: number, taps: number, out: number): void;
  f32_conv_tap_offsets(channels: number, kernelH: number, kernelW: number, dilationH: number, dilationW: number,
    paddedH: number, paddedW: number, out: number): void;
  f32_rowsum_accumulate(x: number, rows: number, cols: number, sums: number): void;
  /** col2im for output rows [ohStart, ohEnd); col holds just those rows */
  f32_col2im(col: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
    outH: number, outW: number, ohStart: number, ohEnd: number, dx: number): void;
  f32_fill_rows(c: number, rows: number, cols: number, values: number): void;
  f32_clip_rows(y: number, rows: number, cols: number, rowBytes: number, lo: number, hi: number): void;
  f32_zero(x: number, count: number): void;
  // Layers, losses and optimisers (src/nn/); i32 buffers (labels, argmax indices) are byte offsets too.
  f32_fill_cols(y: number, rows: number, cols: number, b: number): void;
  f32_colsum(x: number, rows: number, cols: number, rowStride: number, sums: number): void;
  f32_relu(x: number, y: number, count: number): void;
  f32_relu_backward(y: number, dy: number, dx: number, count: number): void;
  /** element-wise activations (assembly/f32-activation/); backward passes read the input x */
  f32_leaky_relu(x: number, y: number, count: number, slope: number): void;
  f32_leaky_relu_backward(x: number, dy: number, dx: number, count: number, slope: number): void;
  f32_clip(x: number, y: number, count: number, lo: number, hi: number): void;
  f32_clip_backward(x: number, dy: number, dx: number, count: number, lo: number, hi: number): void;
  f32_hardsigmoid(x: number, y: number, count: number, alpha: number, beta: number): void;
  f32_hardsigmoid_backward(x: number, dy: number, dx: number, count: number, alpha: number, beta: number): void;
  f32_hardswish(x: number, y: number, count: number): void;
  f32_hardswish_backward(x: number, dy: number, dx: number, count: number): void;
  f32_sigmoid(x: number, y: number, count: number): void;
  f32_sigmoid_backward(x: number, dy: number, dx: number, count: number): void;
  f32_tanh(x: number, y: number, count: number): void;
  f32_tanh_backward(x: number, dy: number, dx: number, count: number): void;
  f32_silu(x: number, y: number, count: number): void;
  f32_silu_backward(x: number, dy: number, dx: number, count: number): void;
  f32_maxpool2d(x: number, planes: number, inH: number, inW: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, padT: number, padL: number, outH: number, outW: number, y: number, idx: number): void;
  f32_maxpool2d_backward(dy: number, idx: number, planes: number, inPlane: number, outPlane: number, dx: number): void;
  /** returns the summed loss; writes dz = (softmax − target)·scale, target = (1 − smoothing)·onehot + smoothing/classes */
  f32_softmax_xent(logits: number, labels: number, rows: number, classes: number, dz: number, scale: number, smoothing: number): number;
  f32_sgd_momentum(w: number, g: number, v: number, count: number, lr: number, momentum: number, weightDecay: number, scale: number): void;
  f32_adam(w: number, g: number, m: number, v: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, scale: number, bc1: number, bc2: number): void;
  f32_sgd_nesterov(w: number, g: number, v: number, count: number, lr: number, momentum: number, weightDecay: number, scale: number): void;
  f32_adamw(w: number, g: number, m: number, v: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, scale: number, bc1: number, bc2: number): void;
  /** Σ x² accumulated in f64 */
  f32_sum_squares(x: number, count: number): number;
  f32_scale(x: number, count: number, scale: number): void;
  f32_add(a: number, b: number, y: number, count: number): void;
  f32_mul(a: number, b: number, y: number, count: number): void;
  /** inverted dropout of elements first … first+count−1 of a pass (threshold and key as u32) */
  f32_dropout(x: number, y: number, mask: number, count: number, first: number, key: number, threshold: number, scale: number): void;
  f32_avgpool2d(x: number, planes: number, inH: number, inW: number, kH: number, kW: number, sH: number, sW: number,
    padT: number, padL: number, outH: number, outW: number, countIncludePad: number, y: number): void;
  f32_avgpool2d_backward(dy: number, planes: number, inH: number, inW: number, kH: number, kW: number, sH: number, sW: number,
    padT: number, padL: number, outH: number, outW: number, countIncludePad: number, dx: number): void;
  f32_copy_rows(src: number, rows: number, cols: number, srcStride: number, dst: number, dstStride: number): void;
  f32_softmax_rows(x: number, rows: number, cols: number, y: number): void;
  f32_softmax_rows_backward(y: number, dy: number, rows: number, cols: number, dx: number): void;
  f32_global_avgpool(x: number, planes: number, plane: number, y: number): void;
  f32_global_avgpool_backward(dy: number, planes: number, plane: number, dx: number): void;
  /** batch normalisation over one block of channels of x [images][channels][plane] (imageStride in floats) */
  f32_channel_sums(x: number, images: number, channels: number, plane: number, imageStride: number, sums: number): void;
  f32_channel_sqdev(x: number, images: number, channels: number, plane: number, imageStride: number, center: number, out: number): void;
  f32_channel_dy_sums(dy: number, x: number, images: number, channels: number, plane: number, imageStride: number,
    center: number, sumDy: number, sumDyXc: number): void;
  f32_channel_normalize(x: number, images: number, channels: number, plane: number, imageStride: number,
    center: number, scale: number, shift: number, y: number): void;
  f32_batchnorm_dx(dy: number, x: number, images: number, channels: number, plane: number, imageStride: number,
    center: number, a: number, b: number, k: number, dx: number): void;
  /** depthwise passes over one image, driven by a plan in memory (src/ops/passes/depthwise.ts) */
  f32_dwconv_fwd(plan: number, x: number, w: number, bias: number, y: number, padded: number): void;
  /** f32_dwconv_fwd for a 3×3 kernel, stride (1, 1) or (2, 2), dilation 1: weights in registers, 4 output rows per pass */
  f32_dwconv_fwd_3x3(plan: number, x: number, w: number, bias: number, y: number, padded: number, stride: number, lo: number, hi: number): void;
  f32_dwconv_dx(plan: number, dy: number, w: number, dx: number, padded: number): void;
  f32_dwconv_dw(plan: number, dy: number, x: number, dw: number, db: number, padded: number): void;
  /** stride-(sh, 2) dX of one image and group by stride phase, driven by a plan (src/ops/passes/subconv-dx.ts) */
  f32_subconv_dx(plan: number, dy: number, packedW: number, dx: number, work: number): void;
  /** Winograd F(4×4, 3×3) (src/ops/passes/winograd.ts); `work` is 576 bytes of per-thread scratch */
  f32_winograd_filter_4x4_3x3(w: number, rows: number, cols: number, rowStride: number, colStride: number, flip: number,
    u: number, uXiBytes: number, work: number): void;
  f32_winograd_input_4x4_3x3(padded: number, channels: number, planeBytes: number, paddedW: number,
    tilesW: number, firstTile: number, count: number, v: number, vXiBytes: number, work: number): void;
  f32_winograd_gemm(count: number, m: number, n: number, k: number,
    u: number, uXiBytes: number, v: number, vXiBytes: number, out: number, mXiBytes: number, mRowBytes: number, accumulate: number, streamU: number): void;
  f32_winograd_input_by_channel_4x4_3x3(padded: number, channels: number, planeBytes: number, paddedW: number,
    tilesW: number, firstTile: number, count: number, v: number, vXiBytes: number, work: number): void;
  f32_winograd_dy_4x4_3x3(dy: number, channels: number, planeBytes: number, paddedW: number,
    tilesW: number, firstTile: number, count: number, e: number, eXiBytes: number, work: number): void;
  f32_winograd_filter_grad_4x4_3x3(m: number, mXiBytes: number, mRowBytes: number, rows: number, cols: number, dw: number, work: number): void;
  f32_winograd_output_4x4_3x3(m: number, mXiBytes: number, mRowBytes: number, outChannels: number,
    tilesW: number, firstTile: number, count: number, bias: number, lo: number, hi: number, y: number, outH: number, outW: number, work: number): void;
  /** Winograd F(4, 3) for conv1d (src/ops/passes/winograd1d.ts), on f32_winograd_gemm with 6 points */
  f32_winograd_filter_4_3(w: number, rows: number, cols: number, rowStride: number, colStride: number, flip: number, u: number, uXiBytes: number): void;
  f32_winograd_input_4_3(padded: number, channels: number, planeBytes: number, firstTile: number, count: number, v: number, vXiBytes: number): void;
  f32_winograd_output_4_3(m: number, mXiBytes: number, mRowBytes: number, outChannels: number,
    firstTile: number, count: number, bias: number, lo: number, hi: number, y: number, outL: number): void;
  f32_winograd_input_by_channel_4_3(padded: number, channels: number, planeBytes: number, firstTile: number, count: number, v: number, vXiBytes: number): void;
  f32_winograd_dy_4_3(dy: number, channels: number, planeBytes: number, firstTile: number, count: number, e: number, eXiBytes: number): void;
  f32_winograd_filter_grad_4_3(m: number, mXiBytes: number, mRowBytes: number, rows: number, cols: number, dw: number): void;
}

/** Where a kernel binary can come from (see init({ wasm })). */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response;

/**
 * Every export the TypeScript side calls, as a record so that the compiler insists on the full
 * list: a binary lacking one is not this version's build.
 */
const EXPORTED: Record<keyof KernelExports, true> = {
  memory: true, heap_base: true, kernel_isa: true, f32_gemm: true, f32_gemm_nt: true, f32_pack_a_x4: true, f32_gemm_packed: true, f32_gemm_packed_bias: true,
  f32_gemm_packed_work_bytes: true, f32_gemm_im2col: true, f32_gemm_im2row: true, f32_pad_image: true,
  f32_flip_weights: true, f32_conv_tap_offsets: true, f32_rowsum_accumulate: true,
  f32_col2im: true, f32_fill_rows: true, f32_clip_rows: true, f32_zero: true, f32_fill_cols: true, f32_colsum: true,
  f32_relu: true, f32_relu_backward: true,
  f32_leaky_relu: true, f32_leaky_relu_backward: true, f32_clip: true, f32_clip_backward: true, f32_hardsigmoid: true, f32_hardsigmoid_backward: true, f32_hardswish: true, f32_hardswish_backward: true, f32_sigmoid: true, f32_sigmoid_backward: true, f32_tanh: true, f32_tanh_backward: true, f32_silu: true, f32_silu_backward: true,
  f32_maxpool2d: true, f32_maxpool2d_backward: true, f32_softmax_xent: true,
  f32_sgd_momentum: true, f32_adam: true, f32_sgd_nesterov: true, f32_adamw: true, f32_sum_squares: true, f32_scale: true, f32_dwconv_fwd: true, f32_dwconv_fwd_3x3: true, f32_dwconv_dx: true, f32_dwconv_dw: true,
  f32_subconv_dx: true,
  f32_add: true, f32_global_avgpool: true, f32_global_avgpool_backward: true,
  f32_channel_sums: true, f32_channel_sqdev: true, f32_channel_dy_sums: true, f32_channel_normalize: true,
  f32_batchnorm_dx: true, f32_mul: true, f32_dropout: true, f32_avgpool2d: true, f32_avgpool2d_backward: true,
  f32_copy_rows: true, f32_softmax_rows: true, f32_softmax_rows_backward: true,
  f32_winograd_filter_4x4_3x3: true, f32_winograd_input_4x4_3x3: true, f32_winograd_gemm: true,
  f32_winograd_output_4x4_3x3: true, f32_winograd_input_by_channel_4x4_3x3: true, f32_winograd_dy_4x4_3x3: true,
  f32_winograd_filter_grad_4x4_3x3: true,
  f32_winograd_filter_4_3: true, f32_winograd_input_4_3: true, f32_winograd_output_4_3: true,
  f32_winograd_input_by_channel_4_3: true, f32_winograd_dy_4_3: true, f32_winograd_filter_grad_4_3: true,
};
const REQUIRED_EXPORTS = Object.keys(EXPORTED);

/**
 * Literal URLs, one per binary, so bundlers (Vite, esbuild, webpack 5) see and copy each file.
 * The -threads builds import a shared memory (the pool's workers run on it); the others own
 * their memory.
 */
function binaryUrl(isa: Isa, threaded: boolean): URL {
  switch (isa) {
    case 'scalar':
      return threaded
        ? new URL('../build/wasmconv-scalar-threads.wasm', import.meta.url)
        : new URL('../build/wasmconv-scalar.wasm', import.meta.url);
    case 'simd':
      return threaded
        ? new URL('../build/wasmconv-simd-threads.wasm', import.meta.url)
        : new URL('../build/wasmconv-simd.wasm', import.meta.url);
    case 'relaxed-simd':
      return threaded
        ? new URL('../build/wasmconv-relaxed-simd-threads.wasm', import.meta.url)
        : new URL('../build/wasmconv-relaxed-simd.wasm', import.meta.url);
  }
}

/** The file name of the package's binary for `isa`. */
export const binaryName = (isa: Isa, threaded: boolean): string => `build/wasmconv-${isa}${threaded ? '-threads' : ''}.wasm`;

// Node built-ins are imported through variables so that browser bundles neither resolve nor
// include them; they are only reached for file: URLs and paths, which only Node has.
const NODE_FS = 'node:fs/promises';
const NODE_URL = 'node:url';
interface NodeFs {
  readFile(path: URL): Promise<Uint8Array<ArrayBuffer>>;
}
interface NodeUrl {
  pathToFileURL(path: string): URL;
}


/** True for a value init({ wasm }) accepts as one binary (rather than a per-ISA record or a function). */
export function isWasmSource(value: unknown): value is WasmSource {
  return (
    typeof value === 'string' ||
    value instanceof URL ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof WebAssembly.Module ||
    (typeof Response === 'function' && value instanceof Response)
  );
}

/**
 * A string as a URL: an absolute URL as is; otherwise relative to the page in a browser, or a
 * file path (relative to the working directory) in Node.
 */
async function resolveString(source: string, what: string): Promise<URL> {
  const windowsPath = /^[a-zA-Z]:[\\/]/.test(source);
  if (!windowsPath) {
    try {
      return new URL(source);
    } catch {
      // relative: resolved below
    }
  }
  if (isNode()) {
    const { pathToFileURL } = (await import(/* @vite-ignore */ NODE_URL)) as NodeUrl;
    return pathToFileURL(source);
  }
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI ??
    (globalThis as { location?: { href?: string } }).location?.href;
  if (base === undefined) throw new Error(`${what}: ${JSON.stringify(source)} is a relative URL and there is no page to resolve it against`);
  return new URL(source, base);
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Compiles bytes, saying what they are when they are not WebAssembly at all (an HTML page from a
 * server that answers every path, say). `contentType` is given for fetched bytes.
 */
async function compileBytes(bytes: BufferSource, what: string, contentType?: string | null): Promise<WebAssembly.Module> {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!WASM_MAGIC.every((b, i) => view[i] === b)) {
    const start = Array.from(view.subarray(0, 16), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    const found = `${view.length} bytes starting ${JSON.stringify(start)}`;
    if (contentType === undefined) throw new Error(`${what} is not a WebAssembly binary (${found})`);
    throw new Error(
      `${what} is not a WebAssembly binary (the server sent ${contentType ?? 'no content-type'}, ${found}): ` +
        "is the .wasm file served at that URL? (With Vite's dev server, add optimizeDeps: { exclude: ['wasmconv'] } " +
        'so that the package is not pre-bundled away from its build/ folder.)',
    );
  }
  return WebAssembly.compile(bytes);
}

/**
 * Compiles a fetched binary: streamed when the server says application/wasm (compileStreaming
 * refuses any other type, and servers often send .wasm as application/octet-stream), otherwise,
 * or if streaming refuses the response for another reason, compiled whole from its bytes.
 */
async function compileResponse(response: Response, what: string): Promise<WebAssembly.Module> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  const contentType = response.headers.get('content-type');
  if (typeof WebAssembly.compileStreaming === 'function' && contentType?.split(';')[0].trim() === 'application/wasm') {
    const copy = response.clone();
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (error) {
      if (error instanceof WebAssembly.CompileError) throw error;
      return compileBytes(await copy.arrayBuffer(), what, contentType); // a response streaming refused
    }
  }
  return compileBytes(await response.arrayBuffer(), what, contentType);
}

async function compileUrl(url: URL, what: string): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    if (!isNode()) throw new Error(`${what}: ${url.href} is a file: URL, which only Node can read`);
    const { readFile } = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await readFile(url);
    } catch (error) {
      throw new Error(`${what}: could not read ${url.pathname}: ${(error as Error).message}`);
    }
    return compileBytes(bytes, what);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${what}: could not fetch ${url.href}: ${(error as Error).message}`);
  }
  return compileResponse(response, what);
}

/** Compiles any accepted source but a string (resolve it first); `what` names it in errors. */
async function compileSource(source: Exclude<WasmSource, string>, what: string): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof URL) return compileUrl(source, what);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source as BufferSource, what);
  return compileResponse(source, what);
}

const ISA_CODES: readonly Isa[] = ['scalar', 'simd', 'relaxed-simd'];

/** The package's own binaries, compiled once per file. */
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compileDefault(isa: Isa, threaded: boolean): Promise<WebAssembly.Module> {
  const name = binaryName(isa, threaded);
  let module = compiled.get(name);
  if (!module) {
    const url = binaryUrl(isa, threaded);
    module = compileUrl(url, `init: ${name} (${url.href})`);
    compiled.set(name, module);
    module.catch(() => compiled.delete(name)); // let a later init() retry after a failed load
  }
  return module;
}

export interface LoadedKernels {
  isa: Isa;
  kernels: KernelExports;
  /** the compiled binary, which a thread pool's workers instantiate too */
  module: WebAssembly.Module;
  /** true for a threaded build: its memory is shared (kernels.memory) */
  threaded: boolean;
}

/** The names of the kernel exports, in the order thread-pool tapes number them. */
export const KERNEL_FUNCTIONS: readonly string[] = REQUIRED_EXPORTS.filter((name) => name !== 'memory');

/** Pages a threaded build's shared memory may grow to: all that wasm32 addresses. */
const SHARED_MEMORY_MAXIMUM_PAGES = 65536;

/** A fresh instance of the package's own (single-thread) kernels for `isa`. */
export async function instantiateKernels(isa: Isa): Promise<KernelExports> {
  return (await loadKernels(isa)).kernels;
}

/** True if the binary imports its memory: a threaded build. */
const importsMemory = (module: WebAssembly.Module): boolean =>
  WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');

/**
 * A fresh instance of the kernels: the package's own binary for `isa`, or `source` when given.
 * A user's binary must be a wasmconv build with every export, and of `isa` when one is expected
 * (null: whichever build it is). Errors start with `what`.
 */
export async function loadKernels(isa: Isa | null, source?: WasmSource, what = 'init: opts.wasm', threaded = false): Promise<LoadedKernels> {
  let module: WebAssembly.Module;
  if (source === undefined) {
    module = await compileDefault(isa ?? 'scalar', threaded);
  } else {
    const resolved = typeof source === 'string' ? await resolveString(source, what) : source;
    if (resolved instanceof URL) what = `${what} (${resolved.href})`;
    else if (typeof Response === 'function' && resolved instanceof Response && resolved.url) what = `${what} (${resolved.url})`;
    try {
      module = await compileSource(resolved, what);
    } catch (error) {
      if (!(error instanceof WebAssembly.CompileError)) throw error;
      const engine = `this engine validates ${supportedIsas().join(', ')}`;
      throw new Error(`${what} does not compile here (${error.message}); ${engine}: is it the build of an instruction set the engine lacks?`);
    }
    const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((name) => !names.has(name));
    if (missing.length > 0) {
      throw new Error(
        `${what} is not a wasmconv kernel binary of this version: it lacks the export${missing.length > 1 ? 's' : ''} ` +
          `${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}; pass one of this package's build/wasmconv-*.wasm files`,
      );
    }
  }
  const sharedMemory = importsMemory(module);
  const imports: WebAssembly.Imports = sharedMemory
    ? { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_MAXIMUM_PAGES, shared: true }) } }
    : {};
  const instance = await WebAssembly.instantiate(module, imports);
  const kernels = instance.exports as unknown as KernelExports;
  const built = ISA_CODES[kernels.kernel_isa()];
  if (built === undefined) throw new Error(`${what} reports an unknown build (${kernels.kernel_isa()})`);
  if (isa !== null && built !== isa) {
    throw new Error(`${what} is the ${built} build, but isa '${isa}' was asked for; pass build/wasmconv-${isa}.wasm for it`);
  }
  return { isa: built, kernels, module, threaded: sharedMemory };
}

/** What init({ wasm }) accepts, for errors. */
export const WASM_SOURCE_RULE = 'a URL or string, bytes (ArrayBuffer or Uint8Array), a WebAssembly.Module or a Response';
export const WASM_OPTION_RULE =
  `${WASM_SOURCE_RULE}; a record of those by ISA (${ISA_PREFERENCE.map((i) => `'${i}'`).join(', ')}); ` +
  'or a function of the ISA returning one';
