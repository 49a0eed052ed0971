// Training through wasmconv/tfjs with tfjs's own machinery, on tfjs's cpu and wasm backends: a
// tf.layers CNN trained with model.fit follows pure tfjs-cpu's loss curve step by step, and 1,000
// optimizer.minimize steps through every kernel the plug-in registers leave no tensor behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { randomData, seededRandom } from './helpers/random.js';
import { tf, tfjsBackend } from './helpers/tfjs.js';

const SIZE = 10, CLASSES = 3, SAMPLES = 64, BATCH = 16, EPOCHS = 25; // 100 steps

/** conv2d (ReLU) → maxPool → conv2d ('same') → flatten → dense, from seeded initial weights. */
function smallCnn(): tf.Sequential {
  const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      // no activation: tfjs runs this one as FusedConv2D (conv + bias) in training too
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 1, padding: 'same', kernelInitializer: glorot(2) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: glorot(3) }),
    ],
  });
}

/** Seeded images; the label is the band of rows (top, middle, bottom) with the largest sum. */
function syntheticData(): { x: Float32Array; labels: number[] } {
  const x = randomData(SAMPLES * SIZE * SIZE, seededRandom(7));
  const labels = Array.from({ length: SAMPLES }, (_, s) => {
    const band = (b: number) => {
      let sum = 0;
      for (let r = Math.floor((b * SIZE) / 3); r < Math.floor(((b + 1) * SIZE) / 3); r++) {
        for (let c = 0; c < SIZE; c++) sum += x[(s * SIZE + r) * SIZE + c];
      }
      return sum;
    };
    const sums = [0, 1, 2].map(band);
    return sums.indexOf(Math.max(...sums));
  });
  return { x, labels };
}

/**
 * The loss after each of the 100 steps of model.fit, from the same weights and data every time,
 * then model.evaluate's (inference: both convs run as FusedConv2D, the first with its ReLU).
 */
async function lossCurve(): Promise<{ losses: number[]; evaluated: number }> {
  const { x, labels } = syntheticData();
  const model = smallCnn();
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(x, [SAMPLES, SIZE, SIZE, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
  const losses: number[] = [];
  await model.fit(xs, ys, {
    batchSize: BATCH, epochs: EPOCHS, shuffle: false, verbose: 0,
    callbacks: { onBatchEnd: async (_batch, logs) => void losses.push(logs!.loss) },
  });
  const evaluation = model.evaluate(xs, ys, { batchSize: SAMPLES }) as tf.Scalar;
  const evaluated = evaluation.dataSync()[0];
  model.dispose();
  tf.dispose([xs, ys, evaluation]);
  return { losses, evaluated };
}

describe.each(['cpu', 'wasm'] as const)('wasmconv/tfjs training on tfjs-backend-%s', (backendName) => {
  beforeAll(async () => {
    await tfjsBackend(backendName);
    await init({ threads: 1 });
  });
  afterAll(() => unregisterWasmconv());

  it('model.fit of a tf.layers CNN gives tfjs-cpu\'s loss curve over 100 steps', async () => {
    unregisterWasmconv();
    await tf.setBackend('cpu');
    const { losses: expected, evaluated: expectedEvaluation } = await lossCurve();
    await tf.setBackend(backendName);
    await registerWasmconv(tf);
    const { losses: got, evaluated } = await lossCurve();
    expect(got).toHaveLength(EPOCHS * SAMPLES / BATCH);
    // it learns: the last epoch's loss is well under the first's
    const epochMean = (l: number[], e: number) => l.slice(e * 4, e * 4 + 4).reduce((a, b) => a + b) / 4;
    expect(epochMean(got, EPOCHS - 1)).toBeLessThan(0.7 * epochMean(got, 0));
    // Every step's gradients differ from tfjs-cpu's by float32 rounding in another summation
    // order (≲ 4·2⁻²⁴ ≈ 2.4e-7 of Σ|term|, tfjs-conv.test.ts; on wasm, its matmul and pooling
    // kernels round in their own orders too); SGD carries that forward over 100 small steps
    // without amplifying it much: measured 2.6e-7 relative at worst on cpu, 3.3e-7 on wasm. 1e-5
    // leaves that room, and fails a dW that is off by one part in 10⁴ (measured: 1.05e-4).
    const worst = Math.max(...got.map((l, i) => Math.abs(l - expected[i]) / expected[i]));
    console.log(`${backendName}: loss curve: worst relative difference from tfjs-cpu over ${got.length} steps ${worst.toExponential(2)}; loss ${got[0].toFixed(4)} → ${got[got.length - 1].toFixed(4)}`);
    expect(worst).toBeLessThan(1e-5);
    expect(Math.abs(evaluated - expectedEvaluation) / expectedEvaluation).toBeLessThan(1e-5);
  }, 120_000);

  it('1,000 optimizer.minimize steps through every registered kernel leak no tensor', async () => {
    const { byBackend } = await registerWasmconv(tf);
    const random = seededRandom(3);
    const w = tf.variable(tf.tensor4d(randomData(2 * 2 * 2 * 3, random), [2, 2, 2, 3]));
    const wNchw = tf.variable(tf.tensor4d(randomData(2 * 2 * 2 * 2, random), [2, 2, 2, 2]));
    const depthwise = tf.variable(tf.tensor4d(randomData(2 * 2 * 3 * 2, random), [2, 2, 3, 2]));
    const bias = tf.variable(tf.tensor1d(randomData(3, random)));
    const fused = tf.variable(tf.tensor4d(randomData(2 * 2 * 3 * 2, random), [2, 2, 3, 2]));
    const fusedBias = tf.variable(tf.tensor1d(randomData(2, random)));
    const fusedDepthwise = tf.variable(tf.tensor4d(randomData(2 * 2 * 3 * 1, random), [2, 2, 3, 1]));
    const fusedDepthwiseBias = tf.variable(tf.tensor1d(randomData(3, random)));
    const dense = tf.variable(tf.tensor2d(randomData(48 * 2, random), [48, 2]));
    const denseBias = tf.variable(tf.tensor1d(randomData(2, random)));
    // the batch is picked out of a data set with tf.gather, as model.fit does (GatherV2)
    const data = tf.tensor4d(randomData(5 * 4 * 4 * 2, random), [5, 4, 4, 2]);
    const picks = tf.tensor1d([3, 1], 'int32');
    const xNchw = tf.tensor4d(randomData(2 * 2 * 4 * 4, random), [2, 2, 4, 4]);
    const optimizer = tf.train.sgd(0.01);
    const step = () => {
      const loss = optimizer.minimize(() => {
        const x = tf.gather(data, picks) as tf.Tensor4D;
        // bias add, ReLU, max pooling and their gradients (Add, Relu, MaxPool, Sum, WasmconvReluGrad, MaxPoolGrad)
        const h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w, 1, 'same'), bias)) as tf.Tensor4D, 2, 1, 'same');
        const a = tf.sum(tf.square(tf.depthwiseConv2d(h, depthwise, [2, 2], 'valid')));
        const b = tf.sum(tf.square(tf.conv2d(xNchw, wNchw, 1, 'valid', 'NCHW')));
        // the fused kernels (linear: tfjs runs them under a gradient tape), and dx through them into h (the backprop-input kernels)
        const c = tf.sum(tf.square(tf.fused.conv2d({ x: h, filter: fused, bias: fusedBias, strides: 1, pad: 'same' })));
        const d = tf.sum(tf.square(tf.fused.depthwiseConv2d({ x: h, filter: fusedDepthwise, bias: fusedDepthwiseBias, strides: 1, pad: 'valid' })));
        // Step and Multiply (ReLU's gradient no longer runs them on cpu)
        const e = tf.sum(tf.mul(tf.step(h), h));
        // a dense layer: _FusedMatMul forward, BatchMatMul for its gradients
        const f = tf.sum(tf.square(tf.fused.matMul({ a: tf.reshape(h, [2, 48]), b: dense, bias: denseBias })));
        return tf.addN([a, b, c, d, e, f]) as tf.Scalar;
      }, true);
      const value = loss!.dataSync()[0];
      loss!.dispose();
      return value;
    };
    // every kernel the plug-in registered on this backend runs in a step
    let first = 0;
    const { kernels } = await tf.profile(() => void (first = step()));
    expect(byBackend[backendName].filter((k) => !kernels.some((run) => run.name === k))).toEqual([]);
    const after1 = tf.memory();
    let last = first;
    for (let i = 1; i < 1000; i++) last = step();
    const after1000 = tf.memory();
    expect(after1000.numTensors).toBe(after1.numTensors);
    expect(after1000.numDataBuffers).toBe(after1.numDataBuffers);
    expect(after1000.numBytes).toBe(after1.numBytes);
    expect(last).toBeLessThan(first); // the steps did train
    optimizer.dispose();
    tf.dispose([w, wNchw, depthwise, bias, fused, fusedBias, fusedDepthwise, fusedDepthwiseBias, dense, denseBias, data, picks, xNchw]);
  }, 120_000);
});
