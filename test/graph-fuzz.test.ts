// Random graphs against a float64 interpreter on the reference ops, on every ISA: fast-check
// draws DAGs of convs, ReLUs, 3×3 average pools, Adds and Concats over earlier tensors (so
// tensors are read by several nodes, the input among them), ending in a global average pool and
// a linear layer. The loss, every parameter gradient and dx must match the interpreter's, whose
// backward pass sums gradients on its own (float64 maps, in reverse node order). BatchNorm is
// left out here: graph-layers.test.ts and graph.test.ts check it (a BatchNorm after an Add or a
// Concat makes earlier shifts' gradients exactly zero, which no relative tolerance can compare).
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import {
  addRef, avgPool2dBackwardRef, avgPool2dRef, conv2dBackwardRef, conv2dRef, globalAvgPool2dBackwardRef, globalAvgPool2dRef,
  linearBackwardRef, linearRef, reluBackwardRef, reluRef, softmaxCrossEntropyRef, type RefArray,
} from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RUNS = 150;

type Op =
  | { kind: 'conv'; a: number; out: number }
  | { kind: 'relu'; a: number }
  | { kind: 'avgpool'; a: number; countIncludePad: boolean }
  | { kind: 'add'; a: number; b: number }
  | { kind: 'concat'; a: number; b: number };

interface GraphCase {
  channels: number;
  h: number;
  w: number;
  /** picks: each op's operands are indices into the tensors so far (taken modulo their count) */
  ops: Op[];
  seed: number;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('conv' as const), a: fc.nat(), out: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('relu' as const), a: fc.nat() }),
  fc.record({ kind: fc.constant('avgpool' as const), a: fc.nat(), countIncludePad: fc.boolean() }),
  fc.record({ kind: fc.constant('add' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('concat' as const), a: fc.nat(), b: fc.nat() }),
);

const caseArb: fc.Arbitrary<GraphCase> = fc.record({
  channels: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 6 }), w: fc.integer({ min: 2, max: 6 }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 7 }), seed: fc.nat(),
});

interface Built {
  model: nn.Graph;
  /** per node, in order: what the interpreter needs */
  steps: Array<{ name: string; op: Op; inputs: string[]; conv?: nn.Conv2d }>;
  last: string;
  fc: nn.Linear;
  channelsOf: Map<string, number>;
}

/** The case as an nn.Graph; Add falls back to a + a when no earlier tensor has a's channels. */
function build(c: GraphCase): Built {
  const g = new nn.GraphBuilder();
  const tensors = [{ t: g.input('x'), channels: c.channels }];
  const channelsOf = new Map([['x', c.channels]]);
  const steps: Built['steps'] = [];
  c.ops.forEach((op, i) => {
    const a = tensors[op.a % tensors.length];
    const name = `n${i}`;
    let t, channels = a.channels, inputs = [a.t.name], conv: nn.Conv2d | undefined;
    if (op.kind === 'conv') {
      conv = new nn.Conv2d(a.channels, op.out, 3, { padding: 1, seed: c.seed + i });
      t = g.apply(conv, a.t, name);
      channels = op.out;
    } else if (op.kind === 'relu') {
      t = g.apply(new nn.ReLU(), a.t, name);
    } else if (op.kind === 'avgpool') {
      t = g.apply(new nn.AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: op.countIncludePad }), a.t, name);
    } else if (op.kind === 'add') {
      const same = tensors.filter((x) => x.channels === a.channels);
      const b = same[op.b % same.length];
      t = g.add(a.t, b.t, name);
      inputs = [a.t.name, b.t.name];
    } else {
      const b = tensors[op.b % tensors.length];
      t = g.concat([a.t, b.t], name);
      inputs = [a.t.name, b.t.name];
      channels = a.channels + b.channels;
    }
    tensors.push({ t, channels });
    channelsOf.set(name, channels);
    steps.push({ name, op, inputs, conv });
  });
  const last = tensors.at(-1)!;
  const fcLayer = new nn.Linear(last.channels, 3, { seed: c.seed });
  const logits = g.apply(fcLayer, g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), last.t, 'pool'), 'flatten'), 'fc');
  return { model: g.build({ outputs: { logits } }), steps, last: last.t.name, fc: fcLayer, channelsOf };
}

const avgOpts = (countIncludePad: boolean) => ({ kernel: [3, 3] as [number, number], stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], ceilMode: false, countIncludePad });

/** Concatenation of [N, Ca, …] and [N, Cb, …] along axis 1. */
function concatRef(a: RefArray, b: RefArray): RefArray {
  const [N] = a.shape, blockA = product(a.shape.slice(1)), blockB = product(b.shape.slice(1));
  const data = new Float64Array(N * (blockA + blockB));
  for (let n = 0; n < N; n++) {
    data.set(a.data.subarray(n * blockA, (n + 1) * blockA), n * (blockA + blockB));
    data.set(b.data.subarray(n * blockB, (n + 1) * blockB), n * (blockA + blockB) + blockA);
  }
  return { data, shape: [N, a.shape[1] + b.shape[1], ...a.shape.slice(2)] };
}

/** The interpreter: forward and backward on the reference ops, in float64. */
function interpret(b: Built, x: RefArray, labels: number[]) {
  const w = (conv: nn.Conv2d) => ({ data: Float64Array.from(conv.weight.read()), shape: [...conv.weight.shape] });
  const values = new Map<string, RefArray>([['x', x]]);
  for (const { name, op, inputs, conv } of b.steps) {
    const [a, c] = inputs.map((t) => values.get(t)!);
    const y =
      op.kind === 'conv' ? conv2dRef(a, w(conv!), Float64Array.from(conv!.bias!.read()), { padding: 1 })
      : op.kind === 'relu' ? reluRef(a)
      : op.kind === 'avgpool' ? avgPool2dRef(a, avgOpts(op.countIncludePad))
      : op.kind === 'add' ? addRef(a, c)
      : concatRef(a, c);
    values.set(name, { data: Float64Array.from(y.data), shape: [...y.shape] });
  }
  const last = values.get(b.last)!;
  const pooled = globalAvgPool2dRef(last);
  const flat = { data: pooled.data, shape: [last.shape[0], last.shape[1]] };
  const fcW = Float64Array.from(b.fc.weight.read());
  const z = linearRef(flat, fcW, Float64Array.from(b.fc.bias!.read()), 3);
  const { loss, dz } = softmaxCrossEntropyRef(z, labels);
  const fcBack = linearBackwardRef(dz, flat, fcW, 3);
  const grads = new Map<string, Float64Array>();
  const accumulate = (t: string, g: ArrayLike<number>) => {
    const prev = grads.get(t);
    if (!prev) grads.set(t, Float64Array.from(g));
    else for (let i = 0; i < prev.length; i++) prev[i] += g[i];
  };
  accumulate(b.last, globalAvgPool2dBackwardRef(fcBack.dx.data, last.shape).data);
  const paramGrads = new Map<string, ArrayLike<number>>([['fc.weight', fcBack.dw], ['fc.bias', fcBack.db]]);
  for (const { name, op, inputs, conv } of [...b.steps].reverse()) {
    const dy = grads.get(name);
    const [a] = inputs.map((t) => values.get(t)!);
    if (!dy) {
      if (conv) {
        paramGrads.set(`${name}.weight`, new Float64Array(conv.weight.size));
        paramGrads.set(`${name}.bias`, new Float64Array(conv.bias!.size));
      }
      continue;
    }
    const y = values.get(name)!;
    if (op.kind === 'conv') {
      const r = conv2dBackwardRef({ data: dy, shape: y.shape }, a, w(conv!), { padding: 1 });
      paramGrads.set(`${name}.weight`, r.dw.data);
      paramGrads.set(`${name}.bias`, r.db.data);
      accumulate(inputs[0], r.dx.data);
    } else if (op.kind === 'relu') {
      accumulate(inputs[0], reluBackwardRef(dy, y).data);
    } else if (op.kind === 'avgpool') {
      accumulate(inputs[0], avgPool2dBackwardRef(dy, a.shape, avgOpts(op.countIncludePad)).data);
    } else if (op.kind === 'add') {
      accumulate(inputs[0], dy);
      accumulate(inputs[1], dy);
    } else {
      const [N] = y.shape, blockY = product(y.shape.slice(1)), blockA = product(a.shape.slice(1)), blockB = blockY - blockA;
      const da = new Float64Array(N * blockA), db = new Float64Array(N * blockB);
      for (let n = 0; n < N; n++) {
        da.set(dy.subarray(n * blockY, n * blockY + blockA), n * blockA);
        db.set(dy.subarray(n * blockY + blockA, (n + 1) * blockY), n * blockB);
      }
      accumulate(inputs[0], da);
      accumulate(inputs[1], db);
    }
  }
  return { loss, dz, paramGrads, dx: grads.get('x') ?? new Float64Array(x.data.length) };
}

function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0, m = 1e-12;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return e / m;
}

describe.each(TEST_ISAS)('random graphs against the float64 interpreter, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it(`${RUNS} random DAGs: loss, every parameter gradient and dx`, () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const built = build(c);
        try {
          const random = seededRandom(c.seed);
          const shape = [2, c.channels, c.h, c.w];
          const x = randomData(product(shape), random);
          const labels = [c.seed % 3, (c.seed + 1) % 3];
          const result = built.model.gradients({ data: x, shape }, labels);
          const ref = interpret(built, { data: Float64Array.from(x), shape }, labels);
          const context = `${isa} ${JSON.stringify(c)}`;
          expect(Math.abs(result.loss - ref.loss) / ref.loss, `loss, ${context}`).toBeLessThan(1e-5);
          for (const p of built.model.parameters()) expect(relError(p.readGrad(), ref.paramGrads.get(p.name)!), `${p.name}, ${context}`).toBeLessThan(1e-4);
          built.model.forward({ data: x, shape });
          const dx = built.model.backward({ data: Float32Array.from(ref.dz), shape: [2, 3] }, { inputGradient: true })!;
          expect(relError(dx.data, ref.dx), `dx, ${context}`).toBeLessThan(1e-4);
        } finally {
          built.model.dispose();
        }
      }),
      { numRuns: RUNS, seed: 20261206 },
    );
  }, 120_000);
});
