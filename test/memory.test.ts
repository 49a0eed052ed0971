// Memory: scratch is reused, so many calls over mixed shapes never grow Wasm memory past what
// the largest single call needs; a request wasm32 cannot hold is a clear Error, not a trap.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend, conv1d, conv1dBackward, conv2d, conv2dBackward, init, tensor, type Tensor } from '../src/index.js';
import type { KernelExports } from '../src/loader.js';
import { WasmArena } from '../src/memory.js';
import { GEMM_WORK_FLOATS } from '../src/ops/passes/gemm.js';

const PAGE = 65536;
const filled = (shape: number[], value: number): Tensor => tensor(new Float32Array(shape.reduce((a, b) => a * b)).fill(value), shape);

interface Shape2d { x: number[]; w: number[]; opts: { padding?: number; stride?: number; groups?: number } }
const shapes: Shape2d[] = [
  { x: [2, 3, 16, 16], w: [8, 3, 3, 3], opts: { padding: 1 } },
  { x: [1, 8, 9, 7], w: [4, 8, 1, 1], opts: {} },
  { x: [4, 16, 12, 12], w: [16, 1, 3, 3], opts: { padding: 1, groups: 16 } },
  { x: [1, 4, 30, 30], w: [6, 4, 5, 5], opts: { stride: 2 } },
  { x: [3, 2, 5, 5], w: [2, 2, 2, 2], opts: {} },
];

/**
 * Floats one call may lay out: its tensors (x, w, bias, y / dy, x, w, dx, dw, db) plus a scratch
 * allowance of one column matrix (cg·kh·kw·oh·ow) and the GEMM work space, plus alignment.
 */
function floatsNeeded({ x, w, opts }: Shape2d, backward: boolean): number {
  const [n, c, h, wd] = x;
  const [o, cg, kh, kw] = w;
  const p = opts.padding ?? 0, s = opts.stride ?? 1;
  const oh = Math.floor((h + 2 * p - kh) / s) + 1, ow = Math.floor((wd + 2 * p - kw) / s) + 1;
  const xs = n * c * h * wd, ws = o * cg * kh * kw, ys = n * o * oh * ow, col = cg * kh * kw * oh * ow;
  return (backward ? ys + 2 * xs + 2 * ws + o + col : xs + ws + o + ys + col) + GEMM_WORK_FLOATS + 8 * 4;
}

describe('memory', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });

  it('10,000 calls over mixed shapes stay within what the largest call needs', () => {
    const tensors = shapes.map((s) => ({ ...s, xt: filled(s.x, 0.5), wt: filled(s.w, 0.25) }));
    const largestCall = Math.max(...shapes.flatMap((s) => [floatsNeeded(s, false), floatsNeeded(s, true)])) * 4;
    let calls = 0;
    let conv1dOut: Tensor | null = null;
    const x1 = filled([2, 5, 40], 1), w1 = filled([3, 5, 4], 1);
    while (calls < 10_000) {
      const s = tensors[calls % tensors.length];
      const y = conv2d(s.xt, s.wt, null, s.opts);
      conv2dBackward(y, s.xt, s.wt, s.opts);
      conv1dOut = conv1d(x1, w1, null, { padding: 'same' });
      conv1dBackward(conv1dOut, x1, w1, { padding: 'same' });
      calls += 4;
    }
    const bytes = backend().memoryBytes;
    // the module's own static data fits in its first page
    const bound = PAGE + Math.ceil(largestCall / PAGE) * PAGE;
    console.log(`after ${calls} calls: ${bytes} bytes of Wasm memory; largest call needs ${largestCall} bytes; bound ${bound}`);
    expect(bytes).toBeLessThanOrEqual(bound);
  });

  it('a result wasm32 cannot hold is a clear Error, and the library still works', () => {
    // y would be 256 × 2048 × 2048 floats = 4 GiB
    const x = filled([1, 1, 2048, 2048], 1);
    const w = filled([256, 1, 1, 1], 1);
    expect(() => conv2d(x, w)).toThrow(/conv2d: needs .* GiB of WebAssembly memory \(.*y 4\.00 GiB.*\) but 32-bit WebAssembly addresses at most 4 GiB/);
    const y = conv1d(tensor([1, 2, 3], [1, 1, 3]), tensor([0.3, 0.5], [1, 1, 2]));
    expect(y.data[0]).toBeCloseTo(1.3, 6);
  });

  it("S4's backward (x [8,128,28,28], w [128,128,3,3], pad 1) needs at most 2× x of scratch", () => {
    const x = filled([8, 128, 28, 28], 0.5), w = filled([128, 128, 3, 3], 0.25), dy = filled([8, 128, 28, 28], 1);
    const xFloats = x.data.length;
    const before = backend().memoryBytes;
    conv2dBackward(dy, x, w, { padding: 1 });
    // the call's own tensors: dy, x, w in; dx, dw, db out
    const tensorBytes = (dy.data.length + 2 * xFloats + 2 * w.data.length + 128) * 4;
    const scratchBytes = backend().memoryBytes - Math.max(before, tensorBytes);
    console.log(`S4 backward: Wasm memory ${backend().memoryBytes} bytes; tensors ${tensorBytes}; scratch at most ${scratchBytes} bytes = ${(scratchBytes / (xFloats * 4)).toFixed(2)}× x`);
    expect(backend().memoryBytes).toBeLessThanOrEqual(PAGE + tensorBytes + 2 * xFloats * 4);
  });
});

describe('copies into shared memory', () => {
  // V8 copies into a SharedArrayBuffer 8 bytes at a time only where source and target sit
  // alike on 8-byte boundaries; WasmArena.write sends other sources through a buffer of its own
  it('write() copies every float exactly, however source and target sit on 8-byte boundaries', () => {
    const memory = new WebAssembly.Memory({ initial: 8, maximum: 64, shared: true });
    const arena = new WasmArena({ memory, heap_base: () => 1024 } as unknown as KernelExports);
    for (const length of [1, 5, 16383, 16384, 16385, 40000]) {
      for (const sourceOffset of [0, 4, 8, 12]) {
        for (const target of [4096, 4100]) {
          const source = new Float32Array(new ArrayBuffer(length * 4 + 16), sourceOffset, length).map((_, i) => i + 0.5);
          new Float32Array(memory.buffer).fill(-1);
          arena.write(target, source);
          const written = new Float32Array(memory.buffer, target - 4, length + 2);
          expect(written[0], 'the float before').toBe(-1);
          expect(written[length + 1], 'the float after').toBe(-1);
          const wrong = source.findIndex((v, i) => written[i + 1] !== v);
          expect(wrong, `length ${length}, source byteOffset ${sourceOffset}, target ${target}: first wrong float`).toBe(-1);
        }
      }
    }
  });

  it('a conv on 2 threads gives the same result from an input that starts at an odd float', async () => {
    await init({ isa: 'simd', threads: 2 });
    const shape = [4, 3, 9, 9];
    const floats = shape.reduce((a, b) => a * b);
    const values = Float32Array.from({ length: floats }, (_, i) => Math.sin(i));
    const odd = new Float32Array(new ArrayBuffer(floats * 4 + 4), 4, floats);
    odd.set(values);
    const w = filled([5, 3, 3, 3], 0.25);
    expect(conv2d({ data: odd, shape }, w, null, { padding: 1 }).data).toEqual(conv2d({ data: values, shape }, w, null, { padding: 1 }).data);
  });
});
