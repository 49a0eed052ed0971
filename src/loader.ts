// Finds, compiles and instantiates the kernel binary for an instruction set. Compiles are
// cached per ISA, so init() can be called again (to switch ISA) without recompiling.
import type { Isa } from './isa.js';

/** The kernel module's exports (see assembly/index.ts). Pointers and strides are byte offsets. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  f32_gemm(
    m: number, n: number, k: number,
    a: number, aRowStride: number, aColStride: number,
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
  f32_im2col(x: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
    outH: number, outW: number, col: number): void;
  f32_im2row(x: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
    outH: number, outW: number, rows: number): void;
  f32_col2im(col: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
    outH: number, outW: number, dx: number): void;
  f32_fill_rows(c: number, rows: number, cols: number, values: number): void;
  f32_zero(x: number, count: number): void;
  // Layers, losses and optimisers (src/nn/); i32 buffers (labels, argmax indices) are byte offsets too.
  f32_fill_cols(y: number, rows: number, cols: number, b: number): void;
  f32_colsum(x: number, rows: number, cols: number, sums: number): void;
  f32_transpose(x: number, rows: number, cols: number, xt: number): void;
  f32_relu(x: number, y: number, count: number): void;
  f32_relu_backward(y: number, dy: number, dx: number, count: number): void;
  f32_maxpool2d(x: number, planes: number, inH: number, inW: number, kernelH: number, kernelW: number,
    strideH: number, strideW: number, outH: number, outW: number, y: number, idx: number): void;
  f32_maxpool2d_backward(dy: number, idx: number, planes: number, inPlane: number, outPlane: number, dx: number): void;
  /** returns the summed loss; writes dz = (softmax − onehot)·scale */
  f32_softmax_xent(logits: number, labels: number, rows: number, classes: number, dz: number, scale: number): number;
  f32_sgd_momentum(w: number, g: number, v: number, count: number, lr: number, momentum: number, weightDecay: number, scale: number): void;
  f32_adam(w: number, g: number, m: number, v: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, scale: number, bc1: number, bc2: number): void;
  /** depthwise passes over one image, driven by a plan in memory (src/ops/passes/depthwise.ts) */
  f32_dwconv_fwd(plan: number, x: number, w: number, bias: number, y: number, padded: number): void;
  f32_dwconv_dx(plan: number, dy: number, w: number, dx: number, padded: number): void;
  f32_dwconv_dw(plan: number, dy: number, x: number, dw: number, db: number, padded: number): void;
}

/** Literal URLs, one per binary, so bundlers (Vite, esbuild, webpack 5) see and copy each file. */
function binaryUrl(isa: Isa): URL {
  switch (isa) {
    case 'scalar':
      return new URL('../build/wasmconv-scalar.wasm', import.meta.url);
    case 'simd':
      return new URL('../build/wasmconv-simd.wasm', import.meta.url);
    case 'relaxed-simd':
      return new URL('../build/wasmconv-relaxed-simd.wasm', import.meta.url);
  }
}

const NODE_FS = 'node:fs/promises';
interface NodeFs {
  readFile(path: URL): Promise<Uint8Array<ArrayBuffer>>;
}

const compiled = new Map<Isa, Promise<WebAssembly.Module>>();

async function compile(isa: Isa): Promise<WebAssembly.Module> {
  const url = binaryUrl(isa);
  if (url.protocol === 'file:') {
    // Node: read next to the built JS; no network. The specifier is a variable so that
    // browser bundles neither resolve nor include a Node built-in.
    const { readFile } = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
    return WebAssembly.compile(await readFile(url));
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch {
      // Servers that send .wasm without application/wasm break streaming; retry plainly below.
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wasmconv: could not fetch ${url.href}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** A fresh instance of the kernels for `isa`, compiled once per ISA. */
export async function instantiateKernels(isa: Isa): Promise<KernelExports> {
  let module = compiled.get(isa);
  if (!module) {
    module = compile(isa);
    compiled.set(isa, module);
    module.catch(() => compiled.delete(isa)); // let a later init() retry after a failed load
  }
  const instance = await WebAssembly.instantiate(await module, {});
  return instance.exports as unknown as KernelExports;
}
