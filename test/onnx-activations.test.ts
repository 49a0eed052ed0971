// The activations in ONNX: nn.fromONNX of Sigmoid, Tanh, LeakyRelu, HardSigmoid (both
// conventions), HardSwish (opset 14), Clip (bounds as initializers, a Constant node, one bound or
// none; Clip(0, 6) → ReLU6) and the Mul patterns exports write for SiLU and HardSwish, against
// onnxruntime-web on every ISA and on 2 threads (max |Δ| ≤ 1e-4·max |y|); their Errors; and
// nn.toONNX of every activation layer: onnxruntime-web reproduces our outputs, and
// fromONNX(toONNX(m)) gives back the same layers and the same outputs bit for bit.
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { attr, floatTensor, maxDiff, OnnxBuilder, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RELATIVE = 1e-4;

/** conv → each activation in turn (a 1×1 conv before each, so every one sees values of both signs); attributes left out take their defaults. */
function activationsModel(opset: number): Uint8Array {
  const b = new OnnxBuilder(1, opset);
  const scale = (h: string) => b.conv(h, 4, 4, 1, [], { bias: true });
  let h = b.conv('x', 3, 4, 3, [attr.ints('pads', [1, 1, 1, 1])], { bias: true });
  h = b.node('LeakyRelu', [h], [attr.float('alpha', 0.1)]);
  h = b.node('Tanh', [scale(h)]);
  h = b.node('Sigmoid', [scale(h)]);
  h = b.node('HardSigmoid', [scale(h)]);
  h = b.node('HardSigmoid', [scale(h)], [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)]);
  h = b.node('LeakyRelu', [scale(h)]);
  // SiLU as exports write it, in both operand orders
  let g = scale(h);
  h = b.node('Mul', [g, b.node('Sigmoid', [g])]);
  g = scale(h);
  h = b.node('Mul', [b.node('Sigmoid', [g]), g]);
  // HardSwish before opset 14: x·HardSigmoid(1/6, 1/2)(x)
  g = scale(h);
  h = b.node('Mul', [g, b.node('HardSigmoid', [g], [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)])]);
  if (opset >= 14) h = b.node('HardSwish', [scale(h)]);
  // Clip: (0, 6) from initializers, from a Constant node, min only, none, general bounds
  h = b.node('Clip', [scale(h), b.weight('zero', [], 0, 0), b.weight('six', [], 6, 6)]);
  const lo = b.node('Constant', [], [attr.tensor('value', floatTensor('', [], [-0.5]))]);
  h = b.node('Clip', [scale(h), lo, b.weight('hi', [], 0.75, 0.75)]);
  h = b.node('Clip', [scale(h), b.weight('lo2', [], -0.25, -0.25)]);
  h = b.node('Clip', [scale(h), '', b.weight('hi2', [], 0.3, 0.3)]);
  h = b.node('Clip', [scale(h)]);
  h = b.node('Clip', [scale(h), b.weight('z2', [], 0, 0), b.weight('s2', [], 6, 6)], [], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 3, 9, 11] }], [h]);
}

const types = (g: nn.Graph) => g.nodes.filter((n) => !(n.layer instanceof nn.Conv2d)).map((n) => n.layer.toString());

describe.each(TEST_ISAS)('activations in ONNX, isa %s', (isa) => {
  for (const threads of [1, 2]) {
    it.each([13, 14, 21])(`${threads} thread(s), opset %i: fromONNX matches onnxruntime-web, with the patterns fused`, async (opset) => {
      await init({ isa, threads });
      const bytes = activationsModel(opset);
      const shape = [3, 3, 9, 11];
      const x = { data: randomData(product(shape), seededRandom(opset)).map((v) => v * 3), shape };
      const model = nn.fromONNX(bytes);
      try {
        expect(types(model)).toEqual([
          'LeakyReLU(0.10000000149011612)', 'Tanh()', 'Sigmoid()', 'HardSigmoid(alpha 0.2, beta 0.5)',
          `HardSigmoid(alpha ${Math.fround(1 / 6)}, beta 0.5)`, 'LeakyReLU(0.01)', 'SiLU()', 'SiLU()', 'HardSwish()',
          ...(opset >= 14 ? ['HardSwish()'] : []),
          'ReLU6()', 'Clip(-0.5, 0.75)', `Clip(-0.25, ${nn.FLOAT32_MAX})`, `Clip(${-nn.FLOAT32_MAX}, 0.30000001192092896)`,
          `Clip(${-nn.FLOAT32_MAX}, ${nn.FLOAT32_MAX})`, 'ReLU6()',
        ]);
        const ours = model.eval().run({ x }).y.data;
        const ref = (await runOrt(bytes, { x })).y;
        const { diff, scale } = maxDiff(ours, ref);
        expect(scale).toBeGreaterThan(0);
        expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(RELATIVE * scale);
      } finally {
        model.dispose();
        await init({ isa });
      }
    }, 60_000);
  }

  it('toONNX of every activation layer: onnxruntime-web reproduces our outputs; the round trip gives the same layers and bits', async () => {
    await init({ isa });
    const g = new nn.GraphBuilder();
    const x = g.input('image', [2, 6, 5]);
    const acts: nn.Layer[] = [
      new nn.LeakyReLU(), new nn.LeakyReLU(0.3), new nn.Sigmoid(), new nn.Tanh(), new nn.SiLU(), new nn.HardSwish(), new nn.HardSigmoid(),
      new nn.HardSigmoid({ alpha: 1 / 6 }), new nn.ReLU6(), new nn.Clip(-0.3, 0.7),
    ];
    let h = x;
    for (const [i, layer] of acts.entries()) h = g.apply(layer, g.apply(new nn.Conv2d(2, 2, 1), h, `mix${i}`), `act${i}`);
    const model = g.build({ outputs: { out: h }, seed: 5 });
    let again: nn.Graph | null = null;
    try {
      const shape = [3, 2, 6, 5];
      const input = { data: randomData(product(shape), seededRandom(2)).map((v) => v * 4), shape };
      const ours = model.eval().forward(input).data;
      const bytes = nn.toONNX(model);
      const ref = (await runOrt(bytes, { image: input })).out;
      const { diff, scale } = maxDiff(ours, ref);
      expect(scale).toBeGreaterThan(0);
      expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(RELATIVE * scale);
      again = nn.fromONNX(bytes);
      expect(types(again).map((t) => t.replace(/\(.*\)/, ''))).toEqual(acts.map((a) => a.toString().replace(/\(.*\)/, '')));
      expect(again.nodes.map((n) => n.name)).toEqual(model.nodes.map((n) => n.name));
      const back = again.eval().forward(input).data;
      expect(back.every((v, i) => Object.is(v, ours[i]))).toBe(true);
    } finally {
      model.dispose();
      again?.dispose();
    }
  }, 60_000);
});

/** x [N,4] → nodes → y. */
function model(build: (b: OnnxBuilder) => string, opset = 13): Uint8Array {
  const b = new OnnxBuilder(1, opset);
  return b.encode([{ name: 'x', dims: ['N', 4] }], [build(b)]);
}

describe('activations in ONNX: Errors name the op, the node and the opset', () => {
  const CASES: Array<[string, () => Uint8Array, RegExp]> = [
    ['Clip with a bound computed at run time', () => model((b) => b.node('Clip', ['x', b.node('Relu', ['x'])], [], ['y'])),
      /node 'clip_2' \(Clip, opset 13\): input 1 \('relu_1_out'\) must be a constant \(an initializer or a Constant node\), not computed at run time/],
    ['Clip with an integer bound', () => model((b) => b.node('Clip', ['x', b.ints('lo', [0], [])], [], ['y'])),
      /\(Clip, opset 13\): min \(input 1\) must be a float32 scalar, got int \[\]/],
    ['Clip with a vector bound', () => model((b) => b.node('Clip', ['x', b.weight('lo', [2])], [], ['y'])),
      /\(Clip, opset 13\): min \(input 1\) must be a float32 scalar, got float \[2\]/],
    ['Clip with min > max', () => model((b) => b.node('Clip', ['x', b.weight('lo', [], 2, 2), b.weight('hi', [], 1, 1)], [], ['y'])),
      /\(Clip, opset 13\): min 2 is greater than max 1/],
    ['Clip with opset-6 attributes', () => model((b) => b.node('Clip', ['x'], [attr.float('min', 0), attr.float('max', 6)], ['y'])),
      /\(Clip, opset 13\): attribute 'min' is not supported/],
    ['HardSwish before opset 14', () => model((b) => b.node('HardSwish', ['x'], [], ['y'])), /\(HardSwish, opset 13\): HardSwish is an opset-14 operator/],
    ['LeakyRelu with an unknown attribute', () => model((b) => b.node('LeakyRelu', ['x'], [attr.float('beta', 1)], ['y'])), /\(LeakyRelu, opset 13\): attribute 'beta' is not supported/],
  ];

  it.each(CASES)('%s', async (_, bytes, message) => {
    await init();
    const data = bytes();
    const copy = data.slice();
    expect(() => nn.fromONNX(data)).toThrow(message);
    expect(data).toEqual(copy);
  }, 60_000);
});
