// ReduceMean over H,W (keepdims 0 and 1), Transpose (no-op perms), Slice and Split along the
// channels, Pad (constant), Softmax (2-D) in nn.fromONNX, against onnxruntime-web on every ISA
// and on 2 threads (max |Δ| ≤ 1e-4·max |y|) at opsets 11, 13 and 18 (where axes, split sizes and
// num_outputs move between attributes and inputs); the layers they become (ChannelSlice, Pad2d,
// Softmax) against their definitions and finite differences; the export round trip.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { attr, expectImportMatchesOrt, maxDiff, OnnxBuilder, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { singleLayerGraph } from './helpers/graphs.js';

const RELATIVE = 1e-4;
const INT64_MAX = 2 ** 53; // "to the end" as exporters write it (clamped to C)

/** x [N,6,5,4] → Conv → Split [3,5] → Slice → Concat → Pad → Transpose → ReduceMean ×2 → Gemm → Softmax. */
function layoutModel(seed: number, opset: number): Uint8Array {
  const b = new OnnxBuilder(seed, opset);
  const h = b.conv('x', 6, 8, 3, [attr.ints('pads', [1, 1, 1, 1])], { bias: true });
  // split sizes: an input from opset 13, an attribute before
  if (opset >= 13) b.node('Split', [h, b.ints('sizes', [3, 5])], [attr.int('axis', 1)], ['a', 'c']);
  else b.node('Split', [h], [attr.int('axis', 1), attr.ints('split', [3, 5])], ['a', 'c']);
  const [a, c] = ['a', 'c'];
  const tail = b.node('Slice', [c, b.ints('s0', [1]), b.ints('e0', [INT64_MAX]), b.ints('ax0', [1])]);    // channels 1…4 of c
  const mid = b.node('Slice', [c, b.ints('s1', [-3]), b.ints('e1', [-1]), b.ints('ax1', [-3]), b.ints('st1', [1])]); // 2…3
  let t = b.node('Concat', [a, tail, mid], [attr.int('axis', 1)]);                                              // 9 channels
  if (opset >= 18) {
    // equal parts from num_outputs (9 = 5 + 4: the last one smaller), joined again in the other order
    b.node('Split', [t], [attr.int('axis', 1), attr.int('num_outputs', 2)], ['p', 'q']);
    t = b.node('Concat', ['q', 'p'], [attr.int('axis', 1)]);
  }
  t = b.node('Relu', [b.node('Pad', [t, b.ints('pads', [0, 0, 1, 2, 0, 0, 2, 1]), b.weight('value', [], 0.5, 0.5)])]); // [N,9,8,7]
  t = b.node('Transpose', [t], [attr.ints('perm', [0, 1, 2, 3])]);
  const mean = (keepdims: number) => (opset >= 18
    ? b.node('ReduceMean', [t, b.ints(`axes${keepdims}`, [2, -1])], [attr.int('keepdims', keepdims)])
    : b.node('ReduceMean', [t], [attr.ints('axes', [-2, 3]), attr.int('keepdims', keepdims)]));
  const kept = b.node('Transpose', [mean(1)], [attr.ints('perm', [0, 1, 3, 2])]); // swaps the two 1s
  const pooled = b.node('Add', [mean(0), b.node('Flatten', [kept])]);
  const y = b.node('Softmax', [b.gemm(pooled, 9, 5)], [], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 6, 5, 4] }], [y]);
}

/** Pad with zeros by default (no constant_value input) on an open spatial size, then Softmax on Gemm output. */
function padDefaultModel(seed: number): Uint8Array {
  const b = new OnnxBuilder(seed);
  const p = b.node('Pad', ['x', b.ints('pads', [0, 0, 0, 3, 0, 0, 1, 0])]);
  const y = b.node('Softmax', [b.gemm(b.node('Flatten', [b.node('GlobalAveragePool', [b.conv(p, 2, 4, 2)])]), 4, 3)], [attr.int('axis', 1)], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 2, 'H', 'W'] }], [y]);
}

/**
 * ShuffleNet's channel shuffle as PyTorch exports it: Reshape [N, g, C/g, H, W] (the batch from the
 * Shape subgraph, or a constant −1), Transpose [0,2,1,3,4], Reshape back ([N, −1, H, W] or [0, C, H, W]).
 * `cast`: every dim from the Shape subgraph as torchvision's shufflenet_v2 exports it, C/g as
 * Div(C, g) then Cast to INT64 twice, and an identity Cast to FLOAT on the data.
 */
function shuffleModel(seed: number, fromShape: boolean, cast = false): Uint8Array {
  const b = new OnnxBuilder(seed);
  let h = b.node('Relu', [b.conv('x', 4, 6, 1, [], { bias: true })]);                                    // [N,6,5,4]
  if (cast) h = b.node('Cast', [h], [attr.int('to', 1)]);
  let grouped: string, back: string;
  const dim = (i: number) => b.node('Unsqueeze', [b.node('Gather', [b.node('Shape', [h]), b.ints(`i${i}`, [i], [])]), b.ints(`ax${i}`, [0])]);
  if (cast) {
    const perGroup = b.node('Div', [b.node('Gather', [b.node('Shape', [h]), b.ints('c', [1], [])]), b.ints('groups', [3], [])]);
    const twice = b.node('Cast', [b.node('Cast', [perGroup], [attr.int('to', 7)])], [attr.int('to', 7)]);
    const [n, height, width] = [dim(0), dim(2), dim(3)];
    grouped = b.node('Concat', [n, b.ints('g', [3]), b.node('Unsqueeze', [twice, b.ints('axg', [0])]), height, width], [attr.int('axis', 0)]);
    back = b.node('Concat', [n, b.ints('rest', [-1]), height, width], [attr.int('axis', 0)]);
  } else if (fromShape) {
    const batch = dim(0);
    grouped = b.node('Concat', [batch, b.ints('g', [3, 2, 5, 4])], [attr.int('axis', 0)]);
    back = b.node('Concat', [batch, b.ints('rest', [-1, 5, 4])], [attr.int('axis', 0)]);
  } else [grouped, back] = [b.ints('grouped', [-1, 3, 2, 5, 4]), b.ints('back', [0, 6, 5, 4])];
  const t = b.node('Transpose', [b.node('Reshape', [h, grouped])], [attr.ints('perm', [0, 2, 1, 3, 4])]);
  const shuffled = b.node('Reshape', [t, back]);
  const y = b.gemm(b.node('Flatten', [b.node('GlobalAveragePool', [b.conv(shuffled, 6, 6, 3, [], { group: 3 })])]), 6, 3);
  return b.encode([{ name: 'x', dims: ['N', 4, 5, 4] }], [b.node('Identity', [y], [], ['y'])]);
}

const CASES = [
  ...[11, 13, 18].map((opset) => ({ name: `Split, Slice, Concat, Pad, Transpose, ReduceMean, Softmax at opset ${opset}`, bytes: () => layoutModel(opset, opset), shape: [3, 6, 5, 4] })),
  { name: 'Pad without a constant_value, open spatial size', bytes: () => padDefaultModel(4), shape: [2, 2, 5, 6] },
  { name: 'channel shuffle, shapes from the Shape subgraph', bytes: () => shuffleModel(5, true), shape: [2, 4, 5, 4] },
  { name: 'channel shuffle, constant shapes', bytes: () => shuffleModel(6, false), shape: [3, 4, 5, 4] },
  { name: 'channel shuffle, C/g by Div and Cast (shufflenet_v2\'s export)', bytes: () => shuffleModel(8, true, true), shape: [2, 4, 5, 4] },
];


describe.each(TEST_ISAS)('ONNX Slice, Split, Pad, Transpose, ReduceMean, Softmax, isa %s', (isa) => {
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
      await expectImportMatchesOrt(c.bytes(), c.shape, 5, RELATIVE);
      await init({ isa });
    });
  }

  it('the layers the model imports to: no-op Transposes and Slices are aliases', () => {
    const model = nn.fromONNX(layoutModel(1, 13));
    owned.push(model);
    const kinds = model.nodes.map((n) => n.layer.toString());
    expect(kinds.filter((k) => k.startsWith('ChannelSlice'))).toEqual(['ChannelSlice(0…2)', 'ChannelSlice(3…7)', 'ChannelSlice(1…4)', 'ChannelSlice(2…3)']);
    expect(kinds.filter((k) => k.startsWith('Pad2d'))).toEqual(['Pad2d(1,2,2,1, 0.5)']);
    expect(kinds.filter((k) => k === 'GlobalAvgPool2d()')).toHaveLength(2);
    expect(kinds.at(-1)).toBe('Softmax()');
  });

  it('ChannelShuffle: y[n, j·g + i] = x[n, i·k + j]; dx against finite differences; the import makes one', () => {
    const model = singleLayerGraph(new nn.ChannelShuffle(3));
    owned.push(model);
    const random = seededRandom(10);
    const shape = [2, 6, 2, 1], x = randomData(product(shape), random);
    const y = model.forward({ data: x, shape }).data;
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let j = 0; j < 2; j++) for (let i = 0; i < 3; i++) want.push(...x.subarray((n * 6 + i * 2 + j) * 2, (n * 6 + i * 2 + j + 1) * 2));
    expect(Array.from(y)).toEqual(want);
    gradCheck(`${isa} ChannelShuffle`, model, x, shape, randomData(y.length, random));
    expect(() => model.forward({ data: new Float32Array(8), shape: [1, 4, 2, 1] })).toThrow(/nn\.ChannelShuffle: x must be \[N, C, …\] with C a multiple of 3 groups, got \[1,4,2,1\]/);
    for (const bytes of [shuffleModel(7, true), shuffleModel(9, true, true)]) {
      const imported = nn.fromONNX(bytes);
      owned.push(imported);
      expect(imported.nodes.map((n) => n.layer.toString()).filter((k) => k.startsWith('ChannelShuffle'))).toEqual(['ChannelShuffle(3)']);
    }
  });

  it('ChannelSlice copies its channels; dx against finite differences (zero outside the slice)', () => {
    const model = singleLayerGraph(new nn.ChannelSlice(1, 2));
    owned.push(model);
    const random = seededRandom(6);
    const shape = [2, 4, 3, 2], x = randomData(product(shape), random);
    const y = model.forward({ data: x, shape });
    expect(y.shape).toEqual([2, 2, 3, 2]);
    const plane = 6;
    expect(Array.from(y.data)).toEqual([0, 1].flatMap((n) => Array.from(x.subarray((n * 4 + 1) * plane, (n * 4 + 3) * plane))));
    gradCheck(`${isa} ChannelSlice`, model, x, shape, randomData(y.data.length, random));
    expect(() => model.forward({ data: new Float32Array(12), shape: [1, 2, 3, 2] })).toThrow(/nn\.ChannelSlice: ChannelSlice\(1…2\) needs x \[N, ≥ 3, …\], got \[1,2,3,2\]/);
    expect(() => new nn.ChannelSlice(-1, 2)).toThrow(/nn\.ChannelSlice: start must be an integer ≥ 0, got -1/);
  });

  it('Pad2d fills the border with its value and copies x inside; dx against finite differences', () => {
    const model = singleLayerGraph(new nn.Pad2d([1, 0, 2, 1], -0.5));
    owned.push(model);
    const random = seededRandom(7);
    const shape = [2, 3, 2, 3], x = randomData(product(shape), random);
    const y = model.forward({ data: x, shape });
    expect(y.shape).toEqual([2, 3, 3, 6]);
    const want: number[] = [];
    for (let p = 0; p < 6; p++) for (let i = 0; i < 3; i++) for (let j = 0; j < 6; j++) {
      const [h, w] = [i - 1, j - 2];
      want.push(h >= 0 && h < 2 && w >= 0 && w < 3 ? x[p * 6 + h * 3 + w] : -0.5);
    }
    expect(Array.from(y.data)).toEqual(want);
    gradCheck(`${isa} Pad2d`, model, x, shape, randomData(y.data.length, random));
    expect(() => new nn.Pad2d([1, 0, -1, 0] as [number, number, number, number])).toThrow(/nn\.Pad2d: padding must be \[top, bottom, left, right\], integers ≥ 0, got \[1,0,-1,0\]/);
  });

  it('Softmax: rows of probabilities (large logits too); dx against finite differences', () => {
    const model = singleLayerGraph(new nn.Softmax());
    owned.push(model);
    const random = seededRandom(8);
    const x = Float32Array.from([...randomData(15, random), 1000, 999, -1000, 0, 1000]);
    const y = model.forward({ data: x, shape: [4, 5] }).data;
    for (let r = 0; r < 4; r++) {
      const row = Array.from(x.subarray(r * 5, r * 5 + 5)), m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m)), sum = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => expect(y[r * 5 + j]).toBeCloseTo(v / sum, 6));
    }
    const xs = randomData(12, random);
    gradCheck(`${isa} Softmax`, model, xs, [3, 4], randomData(12, random), { eps: 1e-3 });
    expect(() => model.forward({ data: new Float32Array(8), shape: [1, 2, 2, 2] })).toThrow(/nn\.Softmax: x must be \[N, K\] \(features last\), got \[1,2,2,2\]/);
  });

  it('toONNX writes ChannelSlice as Slice, Pad2d as Pad, Softmax as Softmax: onnxruntime-web agrees, the round trip bit for bit', async () => {
    const g = new nn.GraphBuilder();
    const x = g.input('x', [4, 5, 4]);
    const a = g.apply(new nn.ChannelSlice(0, 1), x, 'first');
    const b = g.apply(new nn.Pad2d([0, 1, 2, 0], 0.25), g.apply(new nn.ChannelSlice(1, 3), x, 'rest'), 'padded');
    const c = g.apply(new nn.Conv2d(3, 1, 2, { seed: 1 }), b, 'conv');                               // [N,1,5,5]
    const pooled = g.concat([g.apply(new nn.GlobalAvgPool2d(), a, 'gap.a'), g.apply(new nn.GlobalAvgPool2d(), c, 'gap.c')], 'cat');
    const y = g.apply(new nn.Softmax(), g.apply(new nn.Linear(2, 3, { seed: 2 }), g.apply(new nn.Flatten(), pooled, 'flat'), 'fc'), 'probs');
    const model = g.build({ outputs: { y } });
    owned.push(model);
    const input = { data: randomData(2 * 4 * 5 * 4, seededRandom(9)), shape: [2, 4, 5, 4] };
    const ours = model.eval().forward(input).data;
    const bytes = nn.toONNX(model);
    const { diff, scale } = maxDiff(ours, (await runOrt(bytes, { x: input })).y);
    expect(diff).toBeLessThanOrEqual(RELATIVE * scale);
    const again = nn.fromONNX(bytes);
    owned.push(again);
    const back = again.eval().forward(input).data;
    expect(back.every((v, i) => Object.is(v, ours[i]))).toBe(true);
  });
});
