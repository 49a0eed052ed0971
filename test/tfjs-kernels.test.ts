// wasmconv/tfjs's non-conv kernels on tfjs's cpu backend (MaxPool, MaxPoolGrad, Add, Multiply,
// Relu, Step, Sum, GatherV2, BatchMatMul, _FusedMatMul, and ReLU's gradient in one kernel) against tfjs-cpu's own, on random shapes and attributes. They compute tfjs's
// formulas in tfjs's order (float64 sums included), so the check is exact: the same float32
// value in every element (Object.is: NaN matches NaN, -0 does not match 0). The values come from
// a small set, so pooling windows tie and sums cancel, with NaN, ±Infinity and -0 among them.
// These kernels are JavaScript, not Wasm: no ISA to vary.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { seededRandom } from './helpers/random.js';
import { tf, tfjsCpu } from './helpers/tfjs.js';

const RUNS = Number(process.env.WASMCONV_TFJS_FUZZ_RUNS ?? 300);
const SPECIAL = [NaN, Infinity, -Infinity, -0];

/** `size` values: mostly small integers and halves (ties, cancellation), some special ones if `special`. */
function values(size: number, seed: number, special: boolean): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: size }, () => {
    const r = random();
    if (special && r < 0.05) return SPECIAL[Math.floor(random() * SPECIAL.length)];
    return r < 0.5 ? Math.floor(random() * 5) - 2 : (random() * 2 - 1) * 1.7;
  });
}

const tensor = (shape: number[], seed: number, special = true) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed, special), shape);

/** The op run with tfjs's own kernels and then through the plug-in: same shapes, dtypes and values exactly. */
async function expectSame(op: () => tf.Tensor | tf.Tensor[], context: () => string): Promise<void> {
  unregisterWasmconv();
  const expected = tf.tidy(op);
  await registerWasmconv(tf);
  const before = tf.memory().numTensors;
  const got = tf.tidy(op);
  const e = ([] as tf.Tensor[]).concat(expected), g = ([] as tf.Tensor[]).concat(got);
  expect(tf.memory().numTensors - before).toBe(g.length); // nothing but the results
  for (let t = 0; t < e.length; t++) {
    expect(g[t].shape, context()).toEqual(e[t].shape);
    expect(g[t].dtype, context()).toBe(e[t].dtype);
    const ev = e[t].dataSync(), gv = g[t].dataSync();
    for (let i = 0; i < ev.length; i++) {
      if (!Object.is(gv[i], ev[i])) throw new Error(`result ${t} [${i}]: tfjs-cpu ${ev[i]}, wasmconv ${gv[i]}\n${context()}`);
    }
  }
  tf.dispose([expected, got]);
}

const pair = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }));

const poolCase = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    size: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
    channels: fc.integer({ min: 1, max: 5 }),
    filterSize: pair,
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.oneof(fc.constant('same' as const), fc.constant('valid' as const), fc.integer({ min: 0, max: 2 })),
    rounding: fc.constantFrom<'floor' | 'round' | 'ceil' | undefined>(undefined, 'floor', 'round', 'ceil'),
    special: fc.boolean(),
    seed: fc.integer(),
  })
  .map((r) => ({
    ...r,
    // 'valid' needs the filter to fit; tfjs takes a rounding mode with a number pad only
    size: [Math.max(r.size[0], r.filterSize[0]), Math.max(r.size[1], r.filterSize[1])] as [number, number],
    rounding: typeof r.pad === 'number' ? r.rounding : undefined,
  }));

describe('wasmconv/tfjs MaxPool, MaxPoolGrad, Add, Multiply, Relu, Step, Sum, GatherV2 and matMul against tfjs-cpu', () => {
  beforeAll(async () => {
    await tfjsCpu();
    await init({ threads: 1 });
  });
  afterEach(() => unregisterWasmconv());

  it(`tf.maxPool and its gradient (MaxPoolGrad): ${RUNS} random cases`, async () => {
    await fc.assert(
      fc.asyncProperty(poolCase, async (c) => {
        const x = tensor([c.batch, ...c.size, c.channels], c.seed, c.special) as tf.Tensor4D;
        const pool = (v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, c.filterSize, c.strides, c.pad, c.rounding);
        unregisterWasmconv();
        let outShape: number[];
        try {
          outShape = tf.tidy(() => pool(x).shape);
        } catch {
          // tfjs's own fails (a number pad sizing the output below one): so must ours
          await registerWasmconv(tf);
          expect(() => pool(x)).toThrow();
          return void x.dispose();
        }
        const dy = tensor(outShape, c.seed + 1, false);
        // tfjs's maxPool gradient drops dimRoundingMode: where that changes the output size, its
        // MaxPoolGrad gets a dy of another shape than it computes, reads part of it, and ours throws
        unregisterWasmconv();
        const unrounded = tf.tidy(() => tf.maxPool(x, c.filterSize, c.strides, c.pad).shape);
        // (an unrounded size below one leaves MaxPoolGrad to tfjs's own kernel, as MaxPool's)
        if (unrounded.some((d) => d < 1)) {
          await expectSame(() => [pool(x), tf.grad(pool)(x, dy)], () => JSON.stringify(c));
        } else if (JSON.stringify(unrounded) === JSON.stringify(outShape)) {
          // MaxPoolGrad reuses the maxima's positions MaxPool found for that output of that x
          // (tf.grad); and finds them again for an output MaxPool did not give (a copy), or
          // another x than the one pooled
          const x2 = tensor(x.shape, c.seed + 2, c.special) as tf.Tensor4D;
          const direct = (input: tf.Tensor, output: tf.Tensor) =>
            tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: c.filterSize, strides: c.strides, pad: c.pad } as never) as tf.Tensor;
          await expectSame(() => [pool(x), tf.grad(pool)(x, dy), direct(x, tf.add(pool(x), 0)), direct(x2, pool(x))], () => JSON.stringify(c));
          x2.dispose();
        } else {
          await expectSame(() => pool(x), () => JSON.stringify(c));
          expect(() => tf.grad(pool)(x, dy)).toThrow(/MaxPoolGrad \(wasmconv\/tfjs\): dy has shape .* drops the forward pass's dimRoundingMode/);
        }
        tf.dispose([x, dy]);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`tf.add and tf.mul, same shapes and broadcasts: ${RUNS} random cases`, async () => {
    const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(shape, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.integer(), async (full, ones, drop, swap, seed) => {
        // b: full's shape with some leading axes dropped and some axes set to 1 (broadcast both ways when swapped)
        const other = full.slice(Math.min(drop, full.length)).map((d, i) => (ones[i] ? 1 : d));
        const [aShape, bShape] = swap ? [other, full] : [full, other];
        const a = tensor(aShape, seed), b = tensor(bShape, seed + 1);
        await expectSame(() => [tf.add(a, b), tf.mul(a, b)], () => `a ${JSON.stringify(aShape)}, b ${JSON.stringify(bShape)}, seed ${seed}`);
        tf.dispose([a, b]);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`tf.relu and tf.step (with alpha), and their gradients: ${RUNS} random cases`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.integer(), async (shape, alpha, seed) => {
        const x = tensor(shape, seed), dy = tensor(shape, seed + 1);
        const reluGrad = tf.grad((v: tf.Tensor) => tf.relu(v));
        // ReLU's gradient runs as one kernel (WasmconvReluGrad) whose own gradient gives second
        // derivatives: with respect to dy (the same mask) and to x (zeros)
        const wrtDy = tf.grad((d: tf.Tensor) => tf.sum(tf.square(reluGrad(x, d))));
        const wrtX = tf.grad((v: tf.Tensor) => tf.sum(reluGrad(v, dy)));
        await expectSame(() => [tf.relu(x), tf.step(x, alpha), reluGrad(x, dy), wrtDy(dy), wrtX(x)], () => `shape ${JSON.stringify(shape)}, alpha ${alpha}, seed ${seed}`);
        tf.dispose([x, dy]);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`tf.sum over any axes, in any order, negative ones, keepDims: ${RUNS} random cases`, async () => {
    const sumCase = fc
      .array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          // undefined: every axis
          axes: fc.option(fc.shuffledSubarray(shape.map((_, d) => d)).chain((axes) => fc.tuple(...axes.map((a) => fc.constantFrom(a, a - shape.length))))),
          keepDims: fc.boolean(),
          seed: fc.integer(),
        }),
      );
    await fc.assert(
      fc.asyncProperty(sumCase, async (c) => {
        const x = tensor(c.shape, c.seed);
        const axis = c.axes === null ? undefined : c.axes;
        await expectSame(() => tf.sum(x, axis, c.keepDims), () => JSON.stringify(c));
        tf.dispose(x);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`tf.gather (GatherV2) along any axis, with batchDims, float32 and int32: ${RUNS} random cases`, async () => {
    const gatherCase = fc
      .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
          indexShape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
          batchDims: fc.integer({ min: 0, max: 1 }),
          int: fc.boolean(),
          // slices of 32 values and more are copied by subarray, shorter ones element by element
          wide: fc.boolean(),
          seed: fc.integer(),
        }),
      );
    await fc.assert(
      fc.asyncProperty(gatherCase, async (c) => {
        const shape = c.wide ? [...c.shape, 40] : c.shape;
        const axis = c.axis < 0 ? c.axis - (c.wide ? 1 : 0) : c.axis;
        const parsed = axis < 0 ? axis + shape.length : axis;
        // batchDims 1 needs indices whose first axis is x's and an axis after it
        const batchDims = c.batchDims === 1 && parsed >= 1 ? 1 : 0;
        const indexShape = batchDims === 1 ? [shape[0], ...c.indexShape.slice(0, 1)] : c.indexShape;
        const random = seededRandom(c.seed);
        const picks = Int32Array.from({ length: indexShape.reduce((a, b) => a * b, 1) }, () => Math.floor(random() * shape[parsed]));
        const x = c.int ? tf.tensor(Int32Array.from(values(shape.reduce((a, b) => a * b, 1), c.seed, false), (v) => Math.round(v * 3)), shape, 'int32') : tensor(shape, c.seed);
        const indices = tf.tensor(picks, indexShape, 'int32');
        await expectSame(() => tf.gather(x, indices, axis, batchDims), () => JSON.stringify({ ...c, shape, axis, batchDims, indexShape }));
        tf.dispose([x, indices]);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`tf.matMul (BatchMatMul) and tf.fused.matMul (_FusedMatMul) with transposes, batches and bias, and their gradients: ${RUNS} random cases`, async () => {
    const matMulCase = fc.record({
      m: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 9 }),
      // past tfjs-cpu's block of 48 k's, so sums round where its blocks end
      k: fc.integer({ min: 1, max: 110 }),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      // batch dims of a and b: none, the same ones, or only one side's
      batch: fc.constantFrom<[number[], number[]]>([[], []], [[2], [2]], [[2, 3], [2, 3]], [[3], []], [[], [2]]),
      activation: fc.constantFrom<'linear' | 'relu' | undefined>(undefined, 'linear', 'relu'),
      special: fc.boolean(),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(matMulCase, async (c) => {
        const aShape = [...c.batch[0], ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
        const bShape = [...c.batch[1], ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
        const a = tensor(aShape, c.seed, c.special), b = tensor(bShape, c.seed + 1, c.special), bias = tensor([c.n], c.seed + 2, c.special);
        const product = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.transposeA, c.transposeB);
        // with an activation, tfjs runs the fused kernel for inference only (and ours hands 'relu' to tfjs's own)
        const fused = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({ a: x, b: y, bias: z, transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation });
        // (tfjs's matMul gradient does not sum over a broadcast batch: only the same batches have one)
        const sameBatches = c.batch[0].length === c.batch[1].length;
        const gradients = () => (sameBatches ? tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(product(x, y))))([a, b]) : []);
        await expectSame(() => [product(a, b), fused(a, b, bias), ...gradients()], () => JSON.stringify(c));
        if (c.batch[0].length === 0 && c.batch[1].length === 0) {
          // a dense layer's gradients through the fused kernel (linear, as tfjs trains it)
          const linear = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({ a: x, b: y, bias: z, transposeA: c.transposeA, transposeB: c.transposeB });
          await expectSame(() => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(linear(x, y, z))))([a, b, bias]), () => JSON.stringify(c));
        }
        tf.dispose([a, b, bias]);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('tf.gather with an index out of range throws tfjs\'s own error; bool x goes to tfjs\'s own kernel', async () => {
    await registerWasmconv(tf);
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const before = tf.memory().numTensors;
    expect(() => tf.gather(x, tf.tensor1d([0, 2], 'int32'))).toThrow(/GatherV2: the index value 2 is not in \[0, 1\]/);
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow(/the index value -1 is not in/);
    expect(tf.memory().numTensors).toBe(before + 2); // the two index tensors, nothing else
    const b = tf.tensor1d([true, false, true], 'bool');
    const picked = tf.gather(b, tf.tensor1d([2, 1], 'int32'));
    expect(picked.dtype).toBe('bool');
    expect(Array.from(picked.dataSync())).toEqual([1, 0]);
    tf.dispose([x, b, picked]);
  });

  it('other dtypes and broadcasts go to tfjs\'s own kernels', async () => {
    const i = tf.tensor([[1, -2, 3], [4, 5, -6]], [2, 3], 'int32');
    const column = tensor([2, 1], 1), row = tensor([1, 3], 2);
    await expectSame(() => [tf.add(i, i), tf.mul(i, tf.scalar(3, 'int32')), tf.relu(i), tf.sum(i, 1), tf.sum(tf.cast(i, 'bool'))], () => 'int32 and bool');
    // [2, 1] + [1, 3]: each operand broadcasts along a different axis
    await expectSame(() => [tf.add(column, row), tf.mul(column, row)], () => '[2,1] and [1,3]');
    tf.dispose([i, column, row]);
  });
});

describe('wasmconv/tfjs non-conv kernels: errors and registration', () => {
  beforeAll(async () => {
    await tfjsCpu();
    await init({ threads: 1 });
  });
  afterAll(() => unregisterWasmconv());

  it('Sum with an axis named twice or out of range throws naming axis; the library stays usable', async () => {
    await registerWasmconv(tf);
    const x = tf.ones([2, 3]);
    const before = tf.memory().numTensors;
    const run = (axis: unknown) => () => tf.engine().runKernel('Sum', { x }, { axis, keepDims: false } as never);
    expect(run([1, -1])).toThrow(/Sum \(wasmconv\/tfjs\): axis names an axis twice: \[1,-1\] for x of shape \[2,3\]/);
    expect(run([2])).toThrow(/Sum \(wasmconv\/tfjs\): axis must be integers in \[-2, 2\) for x of shape \[2,3\], got \[2\]/);
    expect(run(0.5)).toThrow(/axis must be integers/);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(tf.sum(x, 0).dataSync())).toEqual([2, 2, 2]);
    x.dispose();
  });

  it('MaxPoolGrad with a dy that is not the pooling\'s output shape throws naming dy', async () => {
    await registerWasmconv(tf);
    const x = tf.ones([1, 4, 4, 1]), dy = tf.ones([1, 3, 3, 1]);
    expect(() => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: x }, { filterSize: 2, strides: 2, pad: 'valid' } as never)).toThrow(
      /MaxPoolGrad \(wasmconv\/tfjs\): dy has shape \[1,3,3,1\] but the pooling's output has shape \[1,2,2,1\]/,
    );
    tf.dispose([x, dy]);
  });

  it('registers them on cpu only, and unregisterWasmconv puts tfjs\'s own back', async () => {
    const names = ['MaxPool', 'MaxPoolGrad', 'Add', 'Multiply', 'Relu', 'Step', 'Sum', 'GatherV2', 'BatchMatMul', '_FusedMatMul'];
    unregisterWasmconv();
    const originals = names.map((k) => tf.getKernel(k, 'cpu')!.kernelFunc);
    const reluGradient = tf.getGradient('Relu');
    const { byBackend } = await registerWasmconv(tf);
    expect(byBackend.cpu).toEqual(expect.arrayContaining([...names, 'WasmconvReluGrad']));
    names.forEach((k, i) => expect(tf.getKernel(k, 'cpu')!.kernelFunc).not.toBe(originals[i]));
    expect(tf.getGradient('Relu')).not.toBe(reluGradient);
    // registering twice keeps tfjs's own gradient to put back
    await registerWasmconv(tf);
    unregisterWasmconv();
    names.forEach((k, i) => expect(tf.getKernel(k, 'cpu')!.kernelFunc).toBe(originals[i]));
    expect(tf.getKernel('WasmconvReluGrad', 'cpu')).toBeUndefined();
    expect(tf.getGradient('Relu')).toBe(reluGradient);
  });
});
