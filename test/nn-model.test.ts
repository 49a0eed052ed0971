// A whole small model against the JS reference path: the reference convs and layers (float64
// loop nests, src/reference); loss and every gradient must agree. Then the optimisers' updates against their formulas, determinism from the seed, and a
// model that learns.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import {
  conv2dBackwardRef, conv2dRef, linearBackwardRef, linearRef, maxPool2dBackwardRef, maxPool2dRef, reluBackwardRef, reluRef,
  softmaxCrossEntropyRef, type RefArray,
} from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { relError } from './helpers/rel-error.js';
import { product, randomData, seededRandom } from './helpers/random.js';

type RefT = RefArray;

describe.each(TEST_ISAS)('a small CNN, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('loss and every gradient match the JS reference path', () => {
    // x [3,2,8,8] → conv 3×3 pad 1 → [3,4,8,8] → ReLU → pool 2 → [3,4,4,4] → conv 3×3 → [3,6,2,2] → ReLU → flatten 24 → linear 5
    const model = new nn.Sequential(
      [
        new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Conv2d(4, 6, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(24, 5),
      ],
      { seed: 11 },
    );
    owned.push(model);
    const random = seededRandom(5);
    // non-zero biases so the bias paths matter
    for (const p of model.parameters()) if (p.name.endsWith('bias')) p.write(randomData(p.size, random).map((v) => v * 0.1));
    const xShape = [3, 2, 8, 8];
    const x = { data: randomData(product(xShape), random), shape: xShape };
    const labels = [4, 0, 2];
    const result = model.gradients(x, labels);
    const [w1, b1, w2, b2, w3, b3] = model.parameters().map((p) => ({ data: p.read(), shape: [...p.shape] }));

    // reference forward
    const a1 = conv2dRef(x, w1, b1.data, { padding: 1 });
    const r1 = reluRef(a1);
    const p1 = maxPool2dRef(r1, 2);
    const a2 = conv2dRef(p1.y, w2, b2.data);
    const r2 = reluRef(a2);
    const flat: RefT = { data: r2.data, shape: [3, 24] };
    const z = linearRef(flat, w3.data, b3.data, 5);
    const { loss, dz } = softmaxCrossEntropyRef(z, labels);
    expect(Math.abs(result.loss - loss) / loss, `loss ${result.loss} vs reference ${loss}`).toBeLessThan(1e-5);

    // reference backward
    const { dx: dFlat, dw: dW3, db: db3 } = linearBackwardRef(dz, flat, w3.data, 5);
    const dA2 = reluBackwardRef(dFlat.data, r2);
    const g2 = conv2dBackwardRef(dA2, p1.y, w2);
    const dR1 = maxPool2dBackwardRef(g2.dx.data, p1.argmax, r1.shape);
    const dA1 = reluBackwardRef(dR1.data, r1);
    const g1 = conv2dBackwardRef(dA1, x, w1, { padding: 1 });

    const got = model.parameters().map((p) => p.readGrad());
    const want = [g1.dw.data, g1.db.data, g2.dw.data, g2.db.data, dW3, db3];
    model.parameters().forEach((p, i) => {
      expect(relError(got[i], want[i]), `${p.name} gradient`).toBeLessThan(1e-4);
    });
    // and the forward output
    expect(relError(model.forward(x).data, z.data), 'logits').toBeLessThan(1e-5);
  });

  it('SGD with momentum and weight decay follows v ← μv + g + λw, w ← w − lr·v over two steps', () => {
    const model = new nn.Sequential([new nn.Linear(4, 3, { seed: 2 })]);
    const opt = new nn.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    owned.push(model, opt);
    const random = seededRandom(8);
    const x = { data: randomData(8, random), shape: [2, 4] };
    const params = model.parameters();
    const w = params.map((p) => Float64Array.from(p.read()));
    const v = params.map((p) => new Float64Array(p.size));
    for (let step = 0; step < 2; step++) {
      model.gradients(x, [0, 2]);
      params.forEach((p, k) => {
        const g = p.readGrad();
        for (let i = 0; i < p.size; i++) {
          v[k][i] = 0.9 * v[k][i] + g[i] + 0.01 * w[k][i];
          w[k][i] -= 0.1 * v[k][i];
        }
      });
      opt.step();
      params.forEach((p, k) => expect(relError(p.read(), w[k]), `${p.name} after step ${step + 1}`).toBeLessThan(1e-6));
    }
  });

  it('Adam follows its bias-corrected update over three steps', () => {
    const model = new nn.Sequential([new nn.Linear(4, 3, { seed: 2 })]);
    const opt = new nn.Adam(model.parameters(), { lr: 0.01, weightDecay: 0.001 });
    owned.push(model, opt);
    const random = seededRandom(9);
    const x = { data: randomData(8, random), shape: [2, 4] };
    const params = model.parameters();
    const w = params.map((p) => Float64Array.from(p.read()));
    const m = params.map((p) => new Float64Array(p.size));
    const v = params.map((p) => new Float64Array(p.size));
    for (let t = 1; t <= 3; t++) {
      model.gradients(x, [1, 2]);
      params.forEach((p, k) => {
        const g = p.readGrad();
        for (let i = 0; i < p.size; i++) {
          const gi = g[i] + 0.001 * w[k][i];
          m[k][i] = 0.9 * m[k][i] + 0.1 * gi;
          v[k][i] = 0.999 * v[k][i] + 0.001 * gi * gi;
          w[k][i] -= (0.01 * (m[k][i] / (1 - 0.9 ** t))) / (Math.sqrt(v[k][i] / (1 - 0.999 ** t)) + 1e-8);
        }
      });
      opt.step();
      params.forEach((p, k) => expect(relError(p.read(), w[k]), `${p.name} after step ${t}`).toBeLessThan(1e-5));
    }
  });

  it('the same seed gives the same weights and the same training; another seed does not', () => {
    const run = (seed: number) => {
      const model = nn.lenet({ seed });
      const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const random = seededRandom(3);
      const x = { data: randomData(4 * 784, random), shape: [4, 1, 28, 28] };
      const losses = [0, 1, 2].map(() => model.trainStep(x, [1, 7, 3, 3], opt).loss);
      const weights = model.parameters().map((p) => p.read());
      opt.dispose();
      model.dispose();
      return { losses, weights };
    };
    const a = run(7), b = run(7), c = run(8);
    expect(a.losses).toEqual(b.losses);
    a.weights.forEach((w, i) => expect(w).toEqual(b.weights[i]));
    expect(c.weights[0]).not.toEqual(a.weights[0]);
  });

  it('learns a small synthetic task (loss falls, accuracy 100%)', () => {
    // class = which quadrant of a 6×6 image is bright
    const random = seededRandom(21);
    const N = 64;
    const data = new Float32Array(N * 36), labels: number[] = [];
    for (let n = 0; n < N; n++) {
      const c = n % 4;
      labels.push(c);
      for (let i = 0; i < 6; i++)
        for (let j = 0; j < 6; j++) {
          const q = (i < 3 ? 0 : 2) + (j < 3 ? 0 : 1);
          data[n * 36 + i * 6 + j] = (q === c ? 1 : 0) + 0.3 * (random() - 0.5);
        }
    }
    const model = new nn.Sequential([new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(36, 4)], { seed: 1 });
    const opt = new nn.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    owned.push(model, opt);
    const x = { data, shape: [N, 1, 6, 6] };
    const first = model.evaluate(x, labels).loss;
    for (let epoch = 0; epoch < 15; epoch++) nn.trainEpoch(model, opt, x, labels, { batchSize: 16, random: new nn.Random(epoch) });
    const after = model.evaluate(x, labels);
    expect(after.loss).toBeLessThan(first / 4);
    expect(after.accuracy).toBe(1);
  });
});
