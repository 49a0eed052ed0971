// Every layer's backward pass against finite differences of its forward pass, on every ISA;
// the softmax cross-entropy's gradient through a Linear layer against differences of the loss.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

/** Values in ±[0.1, 1]: at least eps = 0.01 from ReLU's kink. */
function awayFromZero(size: number, random: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (0.1 + 0.9 * random()) * (random() < 0.5 ? -1 : 1);
  return out;
}

/** Distinct values 0.05 apart in random order: no two within 2·eps, so argmaxes never swap. */
function distinct(size: number, random: () => number): Float32Array {
  const out = Float32Array.from({ length: size }, (_, i) => (i - size / 2) * 0.05);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Case {
  name: string;
  layers: () => nn.Layer[];
  x: number[];
  input?: (size: number, random: () => number) => Float32Array;
}

const CASES: Case[] = [
  { name: 'Conv2d 3→4, 3×3, stride 2, padding 1, bias', layers: () => [new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1, seed: 1 })], x: [2, 3, 7, 6] },
  { name: 'Conv2d 4→6, 2×3, groups 2, no bias, dilation [2,1]', layers: () => [new nn.Conv2d(4, 6, [2, 3], { groups: 2, bias: false, dilation: [2, 1], seed: 2 })], x: [2, 4, 6, 5] },
  { name: 'Conv2d 1×1 pointwise', layers: () => [new nn.Conv2d(5, 3, 1, { seed: 3 })], x: [2, 5, 3, 4] },
  { name: "Conv1d 3→5, k 3, stride 2, 'same', dilation 2", layers: () => [new nn.Conv1d(3, 5, 3, { stride: 2, padding: 'same', dilation: 2, seed: 4 })], x: [2, 3, 11] },
  { name: 'Linear 7→5', layers: () => [new nn.Linear(7, 5, { seed: 5 })], x: [3, 7] },
  { name: 'Linear 13→9, no bias', layers: () => [new nn.Linear(13, 9, { bias: false, seed: 6 })], x: [5, 13] },
  { name: 'ReLU', layers: () => [new nn.ReLU()], x: [2, 3, 5, 3], input: awayFromZero },
  { name: 'MaxPool2d 2', layers: () => [new nn.MaxPool2d(2)], x: [2, 3, 6, 5], input: distinct },
  { name: 'MaxPool2d 3, stride 2 (overlapping)', layers: () => [new nn.MaxPool2d(3, 2)], x: [2, 2, 7, 7], input: distinct },
  { name: 'MaxPool2d 3, stride 2, padding 1 (ResNet stem)', layers: () => [new nn.MaxPool2d(3, { stride: 2, padding: 1 })], x: [2, 2, 7, 8], input: distinct },
  { name: 'MaxPool2d 3×2, stride 2, padding [1, 0], ceil mode', layers: () => [new nn.MaxPool2d([3, 2], { stride: 2, padding: [1, 0], ceilMode: true })], x: [2, 2, 6, 7], input: distinct },
  { name: 'Flatten then Linear', layers: () => [new nn.Flatten(), new nn.Linear(24, 4, { seed: 7 })], x: [2, 2, 3, 4] },
];

describe.each(TEST_ISAS)('layer gradients against finite differences, isa %s', (isa) => {
  const models: nn.Sequential[] = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const m of models.splice(0)) m.dispose();
  });

  it.each(CASES)('$name', ({ name, layers, x: xShape, input }) => {
    const random = seededRandom(xShape.reduce((a, b) => a * 31 + b, 17));
    const model = new nn.Sequential(layers());
    models.push(model);
    const x = (input ?? randomData)(product(xShape), random);
    const yShape = model.forward({ data: x, shape: xShape }).shape;
    gradCheck(`${isa} ${name}`, model, x, xShape, randomData(product(yShape), random));
  });

  it('softmax cross-entropy (mean over the batch) through a Linear layer', () => {
    const random = seededRandom(99);
    const model = new nn.Sequential([new nn.Linear(6, 4, { seed: 8 })]);
    models.push(model);
    const x = { data: randomData(5 * 6, random), shape: [5, 6] };
    const labels = [0, 3, 1, 1, 2];
    const result = model.gradients(x, labels);
    expect(result.loss).toBeCloseTo(model.evaluate(x, labels).loss, 6);
    const eps = 1e-2;
    for (const p of model.parameters()) {
      const g = p.readGrad();
      const w = p.read();
      for (let i = 0; i < w.length; i++) {
        const wp = w.slice();
        wp[i] = w[i] + eps;
        p.write(wp);
        const plus = model.evaluate(x, labels).loss;
        wp[i] = w[i] - eps;
        p.write(wp);
        const minus = model.evaluate(x, labels).loss;
        p.write(w);
        // the loss is smooth: central differences are O(eps²) off, plus rounding
        expect(Math.abs((plus - minus) / (2 * eps) - g[i]), `${p.name}[${i}]`).toBeLessThan(2e-4);
      }
    }
  });
});
