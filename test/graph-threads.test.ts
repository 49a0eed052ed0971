// The graph layers on 2 threads: a residual block large enough that BatchNorm2d (16 channels of
// 16 × 32×32 values: its split starts at 8 channels), Add and the summed gradient of x (2¹⁸
// floats: their split starts there) and GlobalAvgPool2d (256 planes of 1024) all split across
// the pool. Everything but the convs' dw equals one thread's bit for bit (the layers split by
// channel, plane or element: each value is computed the same way on any thread); the convs'
// dw sums partial products per thread, so it matches one thread's within rounding.
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const SHAPE = [16, 16, 32, 32];

async function pass(isa: (typeof TEST_ISAS)[number], threads: number) {
  await init({ isa, threads });
  const g = new nn.GraphBuilder();
  const x = g.input('x');
  let h = g.apply(new nn.Conv2d(16, 16, 3, { padding: 1, bias: false, seed: 1 }), x, 'conv');
  h = g.apply(new nn.BatchNorm2d(16), h, 'bn');
  h = g.apply(new nn.ReLU(), g.add(h, x, 'add'), 'relu');
  h = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), h, 'pool'));
  const model = g.build({ outputs: g.apply(new nn.Linear(16, 10, { seed: 2 }), h, 'fc') });
  try {
    const random = seededRandom(4);
    const xs = { data: randomData(SHAPE.reduce((a, b) => a * b), random), shape: SHAPE };
    const y = model.forward(xs);
    const dx = model.backward({ data: randomData(160, random), shape: [16, 10] }, { inputGradient: true })!;
    const grads = Object.fromEntries(model.parameters().map((p) => [p.name, p.readGrad()]));
    const state = model.buffers().map((b) => b.read());
    model.eval();
    const yEval = model.forward(xs);
    return { y: y.data, dx: dx.data, grads, state, yEval: yEval.data };
  } finally {
    model.dispose();
  }
}

describe.each(TEST_ISAS)('graph layers on 2 threads, isa %s', (isa) => {
  it('equal one thread\'s results bit for bit (the convs\' dw within rounding)', async () => {
    const one = await pass(isa, 1);
    const two = await pass(isa, 2);
    expect(two.y).toEqual(one.y);
    expect(two.dx).toEqual(one.dx);
    expect(two.state).toEqual(one.state);
    expect(two.yEval).toEqual(one.yEval);
    for (const name of ['bn.weight', 'bn.bias', 'fc.weight', 'fc.bias']) expect(two.grads[name], name).toEqual(one.grads[name]);
    const w1 = one.grads['conv.weight'], w2 = two.grads['conv.weight'];
    const scale = Math.max(...Array.from(w1, Math.abs));
    expect(Math.max(...Array.from(w1, (v, i) => Math.abs(v - w2[i]))) / scale).toBeLessThan(1e-5);
    await init({ isa, threads: 1 });
  }, 120_000);
});
