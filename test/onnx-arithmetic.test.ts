// Add / Sub / Mul / Div with numpy broadcasting in nn.fromONNX, against onnxruntime-web on every
// ISA and on 2 threads (max |Δ| ≤ 1e-4·max |y|): per-channel ([1,C,1,1], [C,1,1]) and scalar
// constants on either side, an SE block's [N,C,1,1] gate on either side of a Mul, same-shape Add
// and Mul of computed tensors, constants on [N, F] after a Gemm, folded float and integer
// (shape) constant arithmetic. The layers they become (ChannelAffine, Mul) against finite
// differences, their errors, and the export round trip.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { attr, expectImportMatchesOrt, maxDiff, OnnxBuilder, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { singleLayerGraph } from './helpers/graphs.js';

const RELATIVE = 1e-4;

/** x [N,4,6,5]: constants of every supported form on both sides, an SE gate, same-shape Add and Mul. */
function broadcastModel(seed: number): Uint8Array {
  const b = new OnnxBuilder(seed);
  let h = b.node('Mul', ['x', b.weight('s1', [1, 4, 1, 1], 0.5, 2)]);               // per channel, [1,C,1,1]
  h = b.node('Add', [b.weight('t1', [4, 1, 1]), h]);                                  // per channel, constant first
  h = b.node('Sub', [h, b.weight('t2', [], -1, 1)]);                                  // scalar
  h = b.node('Div', [h, b.weight('d1', [1, 4, 1, 1], 0.5, 2)]);                       // per channel
  h = b.node('Sub', [b.weight('t3', [1], 0, 1), h]);                                  // c − x, scalar [1]
  h = b.node('Mul', [h, b.weight('s2', [1, 1, 1, 1], -2, 2)]);                        // one value in a rank-4 tensor
  h = b.node('Relu', [b.conv(h, 4, 6, 3, [attr.ints('pads', [1, 1, 1, 1])], { bias: true })]);
  // squeeze-and-excitation: the gate [N,6,1,1] on either side
  const gate = b.node('Relu', [b.conv(b.node('GlobalAveragePool', [h]), 6, 6, 1, [], { bias: true })]);
  const se = b.node('Mul', [h, gate]);
  const se2 = b.node('Mul', [gate, b.conv(se, 6, 6, 1, [], { bias: true })]);
  const same = b.node('Mul', [se, se2]);
  const sum = b.node('Add', [same, se]);
  // [N, F] after a Gemm: per-feature constants [F] and [1, F]
  let f = b.gemm(b.node('Flatten', [b.node('GlobalAveragePool', [sum])]), 6, 5);
  f = b.node('Mul', [f, b.weight('fs', [5], -2, 2)]);
  f = b.node('Add', [f, b.weight('ft', [1, 5], -1, 1)], [], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 4, 6, 5] }], [f]);
}

/** Folded constant arithmetic: a float scale from Mul/Sub of constants, an integer shape from Div/Add/Mul. */
function foldedModel(seed: number): Uint8Array {
  const b = new OnnxBuilder(seed);
  const scale = b.node('Sub', [b.node('Mul', [b.weight('a', [4, 1, 1]), b.weight('b', [], 2, 3)]), b.weight('c', [1], 0, 1)]);
  const h = b.node('Mul', ['x', scale]);
  // [N, (2·C·H·W)/2 + 0·7] from the shape: Shape → Gather → Unsqueeze ‖ Div/Add/Mul of int constants
  const n = b.node('Unsqueeze', [b.node('Gather', [b.node('Shape', ['x']), b.ints('zero', [0], [])]), b.ints('axes', [0])]);
  const rest = b.node('Add', [b.node('Div', [b.ints('twice', [2 * 4 * 6 * 5]), b.ints('two', [2])]), b.node('Mul', [b.ints('nought', [0]), b.ints('seven', [7])])]);
  const flat = b.node('Reshape', [h, b.node('Concat', [n, rest], [attr.int('axis', 0)])]);
  const y = b.node('Relu', [b.gemm(flat, 120, 7)], [], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 4, 6, 5] }], [y]);
}

/** Mul by a Sigmoid gate that does not fuse into SiLU (the gate is read again; or of another tensor): the general Mul. */
function unfusedGateModel(seed: number): Uint8Array {
  const b = new OnnxBuilder(seed);
  const s = b.node('Sigmoid', ['x']);
  const h = b.node('Add', [b.node('Mul', ['x', s]), s]);
  const other = b.node('Mul', [h, b.node('Sigmoid', [b.node('Relu', ['x'])])]);
  const silu = b.node('Mul', [b.node('Sigmoid', [other]), other]); // this one fuses
  return b.encode([{ name: 'x', dims: ['N', 4, 6, 5] }], [b.node('Identity', [silu], [], ['y'])]);
}

const CASES = [
  { name: 'constants on either side, an SE gate, same-shape Add and Mul, [N, F] constants', bytes: () => broadcastModel(1), shape: [3, 4, 6, 5] },
  { name: 'folded float and integer constant arithmetic', bytes: () => foldedModel(2), shape: [2, 4, 6, 5] },
  { name: 'Mul by Sigmoid gates that do not fuse into SiLU, and one that does', bytes: () => unfusedGateModel(3), shape: [2, 4, 6, 5] },
];


describe.each(TEST_ISAS)('ONNX arithmetic with broadcasting, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  for (const threads of [1, 2]) {
    it.each(CASES.map((c) => [c.name, c] as const))(`${threads} thread(s): %s matches onnxruntime-web`, async (_, c) => {
      await init({ isa, threads });
      await expectImportMatchesOrt(c.bytes(), c.shape, 3, RELATIVE);
      await init({ isa });
    });
  }

  it('a Mul of a constant followed by an Add of one is one ChannelAffine; constants fold to no layer', () => {
    const model = nn.fromONNX(broadcastModel(4));
    owned.push(model);
    const kinds = model.nodes.map((n) => n.layer.spec().type);
    // Mul+Add (one layer), Sub, Div, Sub, Mul before the conv, then Mul+Add (one layer) after the Gemm
    expect(kinds.filter((k) => k === 'ChannelAffine')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'Mul')).toHaveLength(3);
    const gates = nn.fromONNX(unfusedGateModel(6));
    owned.push(gates);
    expect(gates.nodes.map((n) => n.layer.spec().type)).toEqual(['Sigmoid', 'Mul', 'Add', 'ReLU', 'Sigmoid', 'Mul', 'SiLU']);
    const folded = nn.fromONNX(foldedModel(5));
    owned.push(folded);
    expect(folded.nodes.map((n) => n.layer.spec().type)).toEqual(['ChannelAffine', 'Flatten', 'Linear', 'ReLU']);
  });

  it.each([
    ['per channel, rank 4', new Float32Array([0.5, -2, 3]), new Float32Array([1, 0, -0.25]), [2, 3, 4, 5]],
    ['one value over every element', new Float32Array([-1.5]), new Float32Array([0.75]), [2, 3, 2, 3]],
  ] as const)('ChannelAffine (%s): y = x·scale[c] + shift[c] rounded as two operations or one (FMA); dx against finite differences', (_, scale, shift, shape) => {
    const rank = shape.length;
    const model = singleLayerGraph(new nn.ChannelAffine(scale.length, { scale, shift, rank }));
    owned.push(model);
    const random = seededRandom(6);
    const x = randomData(product(shape), random);
    const y = model.forward({ data: x, shape: [...shape] }).data;
    const plane = product(shape.slice(2)), C = shape[1];
    const channel = (i: number) => (scale.length === 1 ? 0 : Math.floor(i / plane) % C);
    // relaxed-simd may fuse the multiply-add (the float64 product of two float32 values is exact)
    const wrong = Array.from(y).findIndex((v, i) => {
      const [s, t] = [scale[channel(i)], shift[channel(i)]];
      return v !== Math.fround(Math.fround(x[i] * s) + t) && v !== Math.fround(x[i] * s + t);
    });
    expect(wrong, `y[${wrong}]`).toBe(-1);
    gradCheck(`${isa} ChannelAffine`, model, x, [...shape], randomData(y.length, random));
    expect(model.parameters()).toHaveLength(0); // constants: saved, never trained
    const again = nn.Graph.fromWeights(model.saveWeights());
    owned.push(again);
    expect(Array.from(again.forward({ data: x, shape: [...shape] }).data)).toEqual(Array.from(y));
  });

  it.each([
    ['an SE gate [N,C,1,1]', [2, 3, 4, 5], [2, 3, 1, 1]],
    ['two tensors of the same shape', [2, 3, 4, 5], [2, 3, 4, 5]],
  ] as const)('Mul by %s: forward exactly, both gradients against finite differences', (_, aShape, bShape) => {
    const random = seededRandom(7);
    const g = new nn.GraphBuilder();
    const x = g.input('x');
    // a and b from x through their own convs, so x's finite differences check da and db
    const a = g.apply(new nn.Conv2d(2, 3, 3, { padding: 1, seed: 1 }), x);
    const bFull = g.apply(new nn.Conv2d(2, 3, 1, { seed: 2 }), x);
    const b = bShape[2] === 1 ? g.apply(new nn.GlobalAvgPool2d(), bFull) : bFull;
    const model = g.build({ outputs: g.merge(new nn.Mul(), [a, b], 'mul') });
    owned.push(model);
    const xs = randomData(2 * 2 * 4 * 5, random);
    gradCheck(`${isa} Mul`, model, xs, [2, 2, 4, 5], randomData(product(aShape), random));
    // forward: the product, element by element (the gate broadcast over the plane)
    const direct = new nn.GraphBuilder();
    const pa = direct.input('a'), pb = direct.input('b');
    const mul = direct.build({ outputs: direct.merge(new nn.Mul(), [pa, pb]) });
    owned.push(mul);
    const av = randomData(product(aShape), random), bv = randomData(product(bShape), random);
    const y = mul.run({ a: { data: av, shape: [...aShape] }, b: { data: bv, shape: [...bShape] } }).y.data;
    const plane = product(aShape.slice(2)) / product(bShape.slice(2));
    expect(Array.from(y)).toEqual(Array.from(av, (v, i) => Math.fround(v * bv[Math.floor(i / plane)])));
    expect(() => mul.run({ a: { data: av, shape: [...aShape] }, b: { data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4, 1] } })).toThrow(
      /nn\.Mul: b must have a's shape or be \[N,C,1,…\] for a \[N,C,…\], got a \[2,3,4,5\] and b \[2,3,4,1\]/,
    );
  });

  it('ChannelAffine errors name the argument and the shapes', () => {
    expect(() => new nn.ChannelAffine(3, { scale: [1, 2] })).toThrow(/nn\.ChannelAffine: scale has 2 values, the layer 3 channels/);
    expect(() => new nn.ChannelAffine(3, { rank: 1 })).toThrow(/nn\.ChannelAffine: rank must be an integer ≥ 2, got 1/);
    const model = singleLayerGraph(new nn.ChannelAffine(3));
    owned.push(model);
    expect(() => model.forward({ data: new Float32Array(16), shape: [1, 4, 2, 2] })).toThrow(/nn\.ChannelAffine: x has shape \[1,4,2,2\] but ChannelAffine\(3\) takes rank 4 with 3 channels/);
  });

  it('toONNX writes ChannelAffine as Mul + Add and Mul as Mul: onnxruntime-web reproduces them, the round trip bit for bit', async () => {
    const g = new nn.GraphBuilder();
    const x = g.input('x', [3, 5, 4]);
    const h = g.apply(new nn.ChannelAffine(3, { scale: [0.5, -1, 2], shift: [0.25, 0, -1] }), x, 'affine');
    const c = g.apply(new nn.ReLU(), g.apply(new nn.Conv2d(3, 4, 3, { padding: 1 }), h, 'conv'), 'relu');
    const gate = g.apply(new nn.GlobalAvgPool2d(), c, 'gap');
    const se = g.merge(new nn.Mul(), [c, gate], 'se');
    const flat = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), g.merge(new nn.Mul(), [se, c], 'square'), 'gap2'), 'flat');
    const y = g.apply(new nn.ChannelAffine(1, { scale: [3], shift: [-0.5], rank: 2 }), flat, 'scalar');
    const model = g.build({ outputs: { y }, seed: 8 });
    owned.push(model);
    const input = { data: randomData(2 * 3 * 5 * 4, seededRandom(9)), shape: [2, 3, 5, 4] };
    const ours = model.eval().forward(input).data;
    const bytes = nn.toONNX(model);
    const ref = (await runOrt(bytes, { x: input })).y;
    const { diff, scale } = maxDiff(ours, ref);
    expect(diff).toBeLessThanOrEqual(RELATIVE * scale);
    const again = nn.fromONNX(bytes);
    owned.push(again);
    expect(again.nodes.filter((n) => n.layer instanceof nn.ChannelAffine)).toHaveLength(2);
    const back = again.eval().forward(input).data;
    expect(back.every((v, i) => Object.is(v, ours[i]))).toBe(true);
  });
});
