// wasmconv/tfjs on tfjs's cpu backend hands tfjs arrays of tensors tfjs has disposed of
// (src/tfjs/recycle.ts) for its large outputs: reused only when nothing else can see them, never
// one read out (dataSync) or still viewed by another tensor (tfjs's Slice keeps a subarray), and
// the results stay tfjs-cpu's exactly. (JavaScript kernels over tfjs's arrays: the node project.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { randomData, seededRandom } from './helpers/random.js';
import { tf, tfjsCpu } from './helpers/tfjs.js';

// 81,920 floats: above the size recycling starts at (65,536)
const SHAPE = [1, 64, 64, 20];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);

/** The array the cpu backend holds for t, looked at without reading it out (which would stop its recycling). */
const held = (t: tf.Tensor) => (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values;

describe('wasmconv/tfjs recycles the cpu backend\'s output arrays safely', () => {
  beforeAll(async () => {
    await tfjsCpu();
    await init({ threads: 1 });
  });
  afterEach(() => unregisterWasmconv());
  afterAll(() => unregisterWasmconv());

  it('reuses a disposed output\'s array for the next output of its size', async () => {
    await registerWasmconv(tf);
    const x = tf.tensor(randomData(SIZE, seededRandom(1)), SHAPE);
    const y = tf.relu(x);
    const array = held(y);
    y.dispose();
    const z = tf.step(x);
    expect(held(z)).toBe(array);
    // and not while its tensor lives
    const w = tf.relu(x);
    expect(held(w)).not.toBe(array);
    tf.dispose([x, z, w]);
  });

  it('never reuses an array read out with dataSync() or data(), nor one another tensor views', async () => {
    await registerWasmconv(tf);
    const x = tf.tensor(randomData(SIZE, seededRandom(2)), SHAPE);
    const read = tf.relu(x), readAsync = tf.neg(tf.relu(x)), viewed = tf.relu(x);
    const values = read.dataSync(), asyncValues = await readAsync.data();
    const before = Float32Array.from(values), asyncBefore = Float32Array.from(asyncValues as Float32Array);
    // tfjs-cpu's slice of a contiguous run is a subarray of its input's array
    const slice = tf.slice(viewed, [0, 0, 0, 0], [1, 32, 64, 20]);
    const sliceBefore = Float32Array.from(held(slice));
    expect(held(slice).buffer).toBe(held(viewed).buffer);
    const disposedArrays = [held(read), held(viewed)];
    tf.dispose([read, readAsync, viewed]);
    // outputs of that size (other values), more than there are arrays disposed of
    const outputs = Array.from({ length: 6 }, (_, i) => tf.add(x, tf.scalar(i + 1)));
    for (const o of outputs) expect(disposedArrays).not.toContain(held(o));
    expect(Array.from(values)).toEqual(Array.from(before));
    expect(Array.from(asyncValues)).toEqual(Array.from(asyncBefore));
    expect(Array.from(held(slice))).toEqual(Array.from(sliceBefore));
    tf.dispose([x, slice, ...outputs]);
  });

  it('model.fit with recycled arrays follows the loss curve of tfjs-cpu alone', async () => {
    // 64×64 images: the first conv's activations (4·64·64·8 = 131,072 floats) and its gradients are recycled
    const random = seededRandom(4);
    const xs = tf.tensor4d(randomData(8 * 66 * 66, random), [8, 66, 66, 1]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const losses = async () => {
      const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [66, 66, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(1) }),
          tf.layers.maxPooling2d({ poolSize: 4 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(2) }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      const got: number[] = [];
      await model.fit(xs, ys, { batchSize: 4, epochs: 4, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_b, logs) => void got.push(logs!.loss) } });
      model.dispose();
      return got;
    };
    unregisterWasmconv();
    const expected = await losses();
    await registerWasmconv(tf);
    const got = await losses();
    expect(got).toHaveLength(8);
    // (the convolutions' sums in another order: tfjs-training.test.ts's bound)
    got.forEach((l, i) => expect(Math.abs(l - expected[i]) / expected[i], `step ${i}: ${l} vs ${expected[i]}`).toBeLessThan(1e-5));
    tf.dispose([xs, ys]);
  }, 60_000);

  it('with recycled arrays, relu, the bias add, max pooling, convolutions and their gradients give what they give without, over many steps', async () => {
    const random = seededRandom(3);
    const x = tf.tensor4d(randomData(SIZE, random), SHAPE as [number, number, number, number]);
    const bias = tf.tensor1d(randomData(20, random));
    const w = tf.tensor4d(randomData(3 * 3 * 20 * 20, random), [3, 3, 20, 20]);
    const dy = tf.tensor4d(randomData(SIZE / 4, random), [1, 32, 32, 20]);
    // x → conv ('same', 81,920 outputs) → bias add → ReLU → 2×2 max pooling, and the gradients of all of it
    const step = (s: number) =>
      tf.tidy(() => {
        const f = (v: tf.Tensor, k: tf.Tensor) =>
          tf.maxPool(tf.relu(tf.add(tf.conv2d(v as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), tf.mul(bias, s))) as tf.Tensor4D, 2, 2, 'valid');
        const [dx, dw] = tf.grads(f)([x, w], dy);
        return [f(x, w), dx, dw, tf.conv2d(x, w, 1, 'same')];
      });
    await registerWasmconv(tf);
    // each step's results, computed into fresh arrays (every output is kept, so none is recycled)
    const fresh = [1, 2, 3].map(step);
    const expected = fresh.map((r) => r.map((t) => Float32Array.from(held(t))));
    tf.dispose(fresh);
    // again, steps disposed of as they go: their outputs now land in the last one's arrays
    const seen = new Set<Float32Array>();
    let recycled = 0;
    for (let s = 1; s <= 3; s++) {
      const got = step(s);
      got.forEach((t, i) => expect(Array.from(held(t)), `step ${s}, result ${i}`).toEqual(Array.from(expected[s - 1][i])));
      recycled += got.filter((t) => seen.has(held(t))).length;
      got.forEach((t) => seen.add(held(t)));
      tf.dispose(got);
    }
    // later steps' results did come out of earlier steps' arrays (dx and the conv's output: 81,920 floats)
    expect(recycled).toBeGreaterThan(0);
    tf.dispose([x, bias, w, dy]);
  }, 60_000);
});
