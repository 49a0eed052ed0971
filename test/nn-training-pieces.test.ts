// The training pieces beyond SGD and Adam: Nesterov momentum, AdamW, gradient clipping by norm,
// label smoothing (kernel against the float64 reference, the reference against finite
// differences), learning-rate schedules and image augmentation — each against its formula.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { softmaxCrossEntropyRef } from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { relError } from './helpers/rel-error.js';
import { randomData, seededRandom } from './helpers/random.js';

describe.each(TEST_ISAS)('optimisers, clipping and label smoothing, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  /** A Linear(4→3) model, a batch of two, and its parameters. */
  function linearModel(seed: number, opts: nn.SequentialOptions = {}) {
    const model = new nn.Sequential([new nn.Linear(4, 3, { seed: 2 })], opts);
    owned.push(model);
    const x = { data: randomData(8, seededRandom(seed)), shape: [2, 4] };
    return { model, x, params: model.parameters() };
  }

  it('SGD with Nesterov momentum follows v ← μv + g + λw, w ← w − lr·(g + λw + μv) over three steps', () => {
    const { model, x, params } = linearModel(8);
    const opt = new nn.SGD(params, { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true });
    owned.push(opt);
    const w = params.map((p) => Float64Array.from(p.read()));
    const v = params.map((p) => new Float64Array(p.size));
    for (let step = 0; step < 3; step++) {
      model.gradients(x, [0, 2]);
      params.forEach((p, k) => {
        const g = p.readGrad();
        for (let i = 0; i < p.size; i++) {
          const gi = g[i] + 0.01 * w[k][i];
          v[k][i] = 0.9 * v[k][i] + gi;
          w[k][i] -= 0.1 * (gi + 0.9 * v[k][i]);
        }
      });
      opt.step();
      params.forEach((p, k) => expect(relError(p.read(), w[k]), `${p.name} after step ${step + 1}`).toBeLessThan(1e-6));
    }
    expect(() => new nn.SGD(params, { lr: 0.1, nesterov: true })).toThrow(/nn\.SGD: nesterov needs momentum > 0/);
    expect(() => new nn.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: 1 as unknown as boolean })).toThrow(/nn\.SGD: nesterov must be true or false, got 1/);
  });

  it('AdamW decays the weights apart from the gradient: w ← w(1 − lr·λ), then the Adam step, over three steps', () => {
    const { model, x, params } = linearModel(9);
    const opt = new nn.AdamW(params, { lr: 0.01, weightDecay: 0.1 });
    owned.push(opt);
    expect(new nn.AdamW(params).weightDecay, "PyTorch's default").toBe(0.01);
    const w = params.map((p) => Float64Array.from(p.read()));
    const m = params.map((p) => new Float64Array(p.size));
    const v = params.map((p) => new Float64Array(p.size));
    for (let t = 1; t <= 3; t++) {
      model.gradients(x, [1, 2]);
      params.forEach((p, k) => {
        const g = p.readGrad();
        for (let i = 0; i < p.size; i++) {
          w[k][i] *= 1 - 0.01 * 0.1;
          m[k][i] = 0.9 * m[k][i] + 0.1 * g[i];
          v[k][i] = 0.999 * v[k][i] + 0.001 * g[i] * g[i];
          w[k][i] -= (0.01 * (m[k][i] / (1 - 0.9 ** t))) / (Math.sqrt(v[k][i] / (1 - 0.999 ** t)) + 1e-8);
        }
      });
      opt.step();
      params.forEach((p, k) => expect(relError(p.read(), w[k]), `${p.name} after step ${t}`).toBeLessThan(1e-5));
    }
  });

  it('clipGradNorm scales every gradient by maxNorm / (norm + 1e-6) when the total norm exceeds maxNorm, else leaves them', () => {
    const { model, x, params } = linearModel(10);
    model.gradients(x, [0, 1]);
    const before = params.map((p) => Float64Array.from(p.readGrad()));
    const norm = Math.sqrt(before.reduce((s, g) => s + g.reduce((t, v) => t + v * v, 0), 0));
    expect(norm).toBeGreaterThan(0.05);
    // above the norm: unchanged, and the norm is returned
    expect(nn.clipGradNorm(params, norm * 2)).toBeCloseTo(norm, 6);
    params.forEach((p, k) => expect(Array.from(p.readGrad())).toEqual(Array.from(before[k], Math.fround)));
    // below it: scaled
    const maxNorm = norm / 4;
    expect(nn.clipGradNorm(params, maxNorm)).toBeCloseTo(norm, 6);
    const c = maxNorm / (norm + 1e-6);
    params.forEach((p, k) => expect(relError(p.readGrad(), before[k].map((g) => g * c)), p.name).toBeLessThan(1e-6));
    const after = Math.sqrt(params.reduce((s, p) => s + Array.from(p.readGrad()).reduce((t, v) => t + v * v, 0), 0));
    expect(after).toBeCloseTo(maxNorm, 5);
  });

  it('clipGradNorm refuses a non-finite norm and bad arguments, leaving the gradients as they were', () => {
    const { model, x, params } = linearModel(11);
    x.data[0] = NaN; // a NaN input: NaN in the weight gradient
    model.gradients(x, [0, 1]);
    const before = params.map((p) => p.readGrad());
    expect(before[0].some(Number.isNaN)).toBe(true);
    expect(() => nn.clipGradNorm(params, 1)).toThrow(/nn\.clipGradNorm: the gradients' total norm is NaN: a gradient holds NaN or Infinity/);
    params.forEach((p, k) => expect(p.readGrad(), p.name).toEqual(before[k]));
    expect(() => nn.clipGradNorm(params, 0)).toThrow(/maxNorm must be a finite number > 0, got 0/);
    expect(() => nn.clipGradNorm([], 1)).toThrow(/params must be a non-empty array/);
  });

  it('label smoothing: loss and every gradient match the float64 reference, for ε = 0, 0.1 and 0.5', () => {
    for (const eps of [0, 0.1, 0.5]) {
      const { model, x, params } = linearModel(12, { labelSmoothing: eps });
      const labels = [2, 0];
      const result = model.gradients(x, labels);
      const z = model.forward(x);
      const ref = softmaxCrossEntropyRef(z, labels, eps);
      expect(Math.abs(result.loss - ref.loss) / ref.loss, `loss at ε ${eps}`).toBeLessThan(1e-6);
      // Linear: dW = dzᵀ·x, db = Σ rows of dz
      const [, dz] = [z, ref.dz];
      const dW = new Float64Array(12), db = new Float64Array(3);
      for (let n = 0; n < 2; n++) {
        for (let o = 0; o < 3; o++) {
          db[o] += dz[n * 3 + o];
          for (let i = 0; i < 4; i++) dW[o * 4 + i] += dz[n * 3 + o] * x.data[n * 4 + i];
        }
      }
      expect(relError(params[0].readGrad(), dW), `dW at ε ${eps}`).toBeLessThan(1e-5);
      expect(relError(params[1].readGrad(), db), `db at ε ${eps}`).toBeLessThan(1e-5);
    }
    const { model } = linearModel(13);
    expect(model.labelSmoothing).toBe(0);
    model.labelSmoothing = 0.2;
    expect(model.labelSmoothing).toBe(0.2);
    expect(() => (model.labelSmoothing = 1)).toThrow(/labelSmoothing must be a number in \[0, 1\), got 1/);
    expect(() => new nn.Sequential([new nn.Flatten()], { labelSmoothing: -0.1 })).toThrow(/labelSmoothing must be a number in \[0, 1\), got -0\.1/);
  });
});

describe('the label-smoothed reference', () => {
  it("dz is the loss's gradient (central finite differences)", () => {
    const random = seededRandom(3);
    const z = { data: Array.from(randomData(15, random), (v) => v * 3), shape: [3, 5] };
    const labels = [4, 0, 2];
    const eps = 0.15;
    const { dz } = softmaxCrossEntropyRef(z, labels, eps);
    const h = 1e-6;
    for (let i = 0; i < 15; i++) {
      const plus = [...z.data], minus = [...z.data];
      plus[i] += h;
      minus[i] -= h;
      const numeric = (softmaxCrossEntropyRef({ data: plus, shape: z.shape }, labels, eps).loss - softmaxCrossEntropyRef({ data: minus, shape: z.shape }, labels, eps).loss) / (2 * h);
      expect(Math.abs(numeric - dz[i]), `dz[${i}]`).toBeLessThan(1e-7);
    }
  });
});

describe('learning-rate schedules', () => {
  it('cosine with warm-up: linear to lr over the warm-up, then half a cosine down to minLr', () => {
    const s = nn.cosineSchedule({ lr: 0.1, totalSteps: 110, warmupSteps: 10, minLr: 0.001 });
    expect(s(0)).toBeCloseTo(0.01, 12);
    expect(s(4)).toBeCloseTo(0.05, 12);
    expect(s(9)).toBeCloseTo(0.1, 12);
    expect(s(10)).toBeCloseTo(0.1, 12);
    expect(s(60)).toBeCloseTo(0.001 + 0.099 / 2, 12);
    expect(s(35)).toBeCloseTo(0.001 + (0.099 * (1 + Math.cos(Math.PI / 4))) / 2, 12);
    expect(s(110)).toBe(0.001);
    expect(s(500)).toBe(0.001);
    const plain = nn.cosineSchedule({ lr: 0.05, totalSteps: 8 });
    // the CLI's per-epoch schedule: 0.05·½(1 + cos(π·e/8))
    for (let e = 0; e < 8; e++) expect(plain(e)).toBeCloseTo(0.05 * 0.5 * (1 + Math.cos((Math.PI * e) / 8)), 12);
  });

  it('step decay: lr·γ^⌊step / stepSize⌋', () => {
    const s = nn.stepSchedule({ lr: 0.1, stepSize: 30, gamma: 0.5 });
    expect([s(0), s(29), s(30), s(59), s(60), s(95)]).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
    expect(nn.stepSchedule({ lr: 1, stepSize: 1 })(2)).toBeCloseTo(0.01, 12);
  });

  it('bad options and steps are Errors naming them', () => {
    expect(() => nn.cosineSchedule({ lr: 0.1, totalSteps: 0 })).toThrow(/nn\.cosineSchedule: totalSteps must be an integer > 0, got 0/);
    expect(() => nn.cosineSchedule({ lr: 0.1, totalSteps: 10, warmupSteps: 10 })).toThrow(/warmupSteps \(10\) must be less than totalSteps \(10\)/);
    expect(() => nn.cosineSchedule({ lr: 0.1, totalSteps: 10, minLr: 0.2 })).toThrow(/minLr \(0\.2\) must not exceed lr \(0\.1\)/);
    expect(() => nn.cosineSchedule({ lr: -1, totalSteps: 10 })).toThrow(/lr must be a finite number ≥ 0, got -1/);
    expect(() => nn.stepSchedule({ lr: 0.1, stepSize: 2.5 })).toThrow(/nn\.stepSchedule: stepSize must be an integer > 0, got 2\.5/);
    expect(() => nn.stepSchedule({ lr: 0.1, stepSize: 2 })(-1)).toThrow(/step must be an integer ≥ 0, got -1/);
  });
});

describe('image augmentation', () => {
  const shape = [40, 2, 5, 7];
  const x = { data: randomData(40 * 2 * 5 * 7, seededRandom(4)), shape };
  const copy = Float32Array.from(x.data);

  /** x's image n shifted by (dy, dx) with zeros shifted in, then mirrored if `flip`. */
  function shifted(n: number, dy: number, dx: number, flip: boolean): Float32Array {
    const [, C, H, W] = shape;
    const out = new Float32Array(C * H * W);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          const si = i + dy, sj = j + dx;
          const v = si >= 0 && si < H && sj >= 0 && sj < W ? x.data[((n * C + c) * H + si) * W + sj] : 0;
          out[(c * H + i) * W + (flip ? W - 1 - j : j)] = v;
        }
      }
    }
    return out;
  }

  /** The (dy, dx, flip) that makes image n of y, or null. */
  function explain(y: Float32Array, n: number, padding: number, flips: boolean[]) {
    const size = 2 * 5 * 7;
    const got = y.subarray(n * size, (n + 1) * size);
    for (const flip of flips) {
      for (let dy = -padding; dy <= padding; dy++) {
        for (let dx = -padding; dx <= padding; dx++) {
          const want = shifted(n, dy, dx, flip);
          if (want.every((v, i) => Object.is(v, got[i]))) return { dy, dx, flip };
        }
      }
    }
    return null;
  }

  it('every image is a crop of the zero-padded input, maybe mirrored; every offset and both flips occur; x is untouched', () => {
    const aug = new nn.ImageAugment({ padding: 2, flip: true, seed: 7 });
    const seen = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const y = aug.apply(x);
      expect(y.shape).toEqual(shape);
      for (let n = 0; n < 40; n++) {
        const how = explain(y.data, n, 2, [false, true]);
        expect(how, `image ${n}, round ${round}`).not.toBeNull();
        seen.add(`${how!.dy},${how!.dx},${how!.flip}`);
      }
    }
    expect(seen.size, 'of the 50 (dy, dx, flip) combinations').toBeGreaterThan(40);
    expect(x.data).toEqual(copy);
  });

  it('the same seed gives the same batches; no padding and no flip is a copy', () => {
    const a = new nn.ImageAugment({ padding: 1, flip: true, seed: 3 });
    const b = new nn.ImageAugment({ padding: 1, flip: true, seed: 3 });
    expect(a.apply(x).data).toEqual(b.apply(x).data);
    expect(a.apply(x).data).not.toEqual(new nn.ImageAugment({ padding: 1, flip: true, seed: 4 }).apply(x).data);
    const identity = new nn.ImageAugment().apply(x);
    expect(identity.data).toEqual(x.data);
    expect(identity.data).not.toBe(x.data);
    const flipOnly = new nn.ImageAugment({ flip: true, seed: 1 }).apply(x);
    for (let n = 0; n < 40; n++) expect(explain(flipOnly.data, n, 0, [false, true]), `image ${n}`).not.toBeNull();
  });

  it('bad options and inputs are Errors naming them', () => {
    expect(() => new nn.ImageAugment({ padding: -1 })).toThrow(/nn\.ImageAugment: padding must be an integer ≥ 0, got -1/);
    expect(() => new nn.ImageAugment({ flip: 'yes' as unknown as boolean })).toThrow(/flip must be true or false, got yes/);
    const aug = new nn.ImageAugment({ padding: 1 });
    expect(() => aug.apply({ data: new Float32Array(6), shape: [2, 3] })).toThrow(/x must be a Tensor \[N, C, H, W\].*got shape \[2,3\]/);
    expect(() => aug.apply({ data: new Float32Array(5), shape: [1, 1, 2, 3] })).toThrow(/x\.data has 5 elements but shape \[1,1,2,3\] needs 6/);
  });
});
