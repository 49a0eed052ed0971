// bench:resnet18's model and conv list (nothing is timed here): the ResNet-18 built in code is a
// valid ONNX model that native onnxruntime runs to [1, 1000] logits, with torchvision's
// parameter count; the bench's 20 conv layers are exactly the model's Conv nodes (shapes,
// strides, pads, weights: our conv2d on onnxruntime's input to each Conv gives its output);
// and the bench's label of what 'auto' picks agrees with the library's rule.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoPicksWinograd } from '../bench/auto-algorithm.js';
import { INPUT_SHAPE, outSize, RESNET18_CONVS, resnet18, seededRandom } from '../bench/models/resnet18.js';
import { conv2d, init, tensor } from '../src/index.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { usesWinograd } from '../src/ops/passes/index.js';

const { onnx } = onnxProto;
type Layer = (typeof RESNET18_CONVS)[number];

describe('bench:resnet18 model', () => {
  const built = resnet18(18, { exposeConvs: true });
  const decoded = onnx.ModelProto.decode(built.bytes);
  const dims = new Map(decoded.graph!.initializer!.map((t) => [t.name!, (t.dims ?? []).map(Number)]));
  const convNodes = decoded.graph!.node!.filter((n) => n.opType === 'Conv');
  const ints = (node: (typeof convNodes)[number], name: string) =>
    (node.attribute!.find((a) => a.name === name)?.ints ?? []).map(Number);
  let outputs: Record<string, ort.Tensor>;
  const input = seededRandom(7).uniform(INPUT_SHAPE.reduce((a: number, b: number) => a * b), -1, 1);

  beforeAll(async () => {
    const session = await ort.InferenceSession.create(built.bytes, {
      executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    });
    outputs = await session.run({ input: new ort.Tensor('float32', input, INPUT_SHAPE) });
    await session.release();
  });

  it('runs in onnxruntime-node to [1, 1000] finite logits', () => {
    expect(outputs.logits.dims).toEqual([1, 1000]);
    const logits = outputs.logits.data as Float32Array;
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(new Set(logits).size).toBeGreaterThan(900); // not a constant or degenerate output
  });

  it("has torchvision's parameter count with BatchNorm folded into the convs' biases", () => {
    // torchvision resnet18: 11,689,512 parameters, of which BatchNorm's γ and β are 2 per channel
    // of its 20 BN layers (4,800 channels); folded, each channel keeps one bias.
    const count = [...dims.values()].reduce((a, d) => a + d.reduce((x, y) => x * y, 1), 0);
    expect(count).toBe(11_689_512 - 4_800);
    expect(decoded.graph!.node!.filter((n) => n.opType === 'Add')).toHaveLength(8);
    expect(decoded.graph!.node!.filter((n) => n.opType === 'Relu')).toHaveLength(17);
  });

  it("has exactly the bench's 20 conv layers, in order", () => {
    expect(convNodes).toHaveLength(RESNET18_CONVS.length);
    convNodes.forEach((node, i) => {
      const layer: Layer = RESNET18_CONVS[i];
      const [xName, wName, bName] = node.input!;
      const xDims = xName === 'input' ? INPUT_SHAPE : outputs[xName].dims;
      const s = layer.stride, p = layer.padding;
      expect({ x: [...xDims], w: dims.get(wName), b: dims.get(bName), strides: ints(node, 'strides'), pads: ints(node, 'pads'), y: [...outputs[node.output![0]].dims] })
        .toEqual({ x: layer.x, w: layer.w, b: [layer.w[0]], strides: [s, s], pads: [p, p, p, p], y: [1, layer.w[0], outSize(layer), outSize(layer)] });
    });
  });

  it("computes each Conv node with the bench's conv2d call (weights, bias, stride, padding)", async () => {
    await init({ isa: 'simd', threads: 1 });
    RESNET18_CONVS.forEach((layer: Layer, i: number) => {
      const xName = convNodes[i].input![0];
      const x = xName === 'input' ? input : (outputs[xName].data as Float32Array);
      const { w, b } = built.convParams[i];
      const y = conv2d(tensor(x, layer.x), tensor(w, layer.w), tensor(b, [layer.w[0]]), { stride: layer.stride, padding: layer.padding });
      const expected = outputs[convNodes[i].output![0]].data as Float32Array;
      let maxAbs = 0, maxDiff = 0;
      for (let k = 0; k < expected.length; k++) {
        maxAbs = Math.max(maxAbs, Math.abs(expected[k]));
        maxDiff = Math.max(maxDiff, Math.abs(y.data[k] - expected[k]));
      }
      // a wiring check between two float32 implementations, not an accuracy bound (those are in
      // winograd.test.ts and fuzz.test.ts): a wrong weight, bias, stride or padding differs by O(max|y|),
      // float32 summation orders and Winograd by ≤ 1e-5 of it (docs/winograd.md)
      expect(maxDiff, layer.name).toBeLessThan(1e-4 * maxAbs);
    });
  });

  it("labels what 'auto' picks as the library's rule does", () => {
    const shapes: Layer[] = [
      ...RESNET18_CONVS,
      ...[1, 2, 4, 8].flatMap((n) => RESNET18_CONVS.map((l: Layer) => ({ ...l, x: [n, ...l.x.slice(1)] }))),
      { name: '8 channels', x: [4, 8, 16, 16], w: [8, 8, 3, 3], stride: 1, padding: 1 },
      { name: '5×5 out', x: [8, 32, 5, 5], w: [32, 32, 3, 3], stride: 1, padding: 1 },
      { name: 'one tile', x: [1, 64, 4, 4], w: [64, 64, 3, 3], stride: 1, padding: 1 },
      { name: 'four tiles', x: [1, 64, 8, 8], w: [64, 64, 3, 3], stride: 1, padding: 1 },
      { name: 'two blocks', x: [1, 512, 12, 12], w: [512, 512, 3, 3], stride: 1, padding: 1 },
      { name: 'one block of 9', x: [1, 256, 12, 12], w: [256, 256, 3, 3], stride: 1, padding: 1 },
      { name: 'four images of a tile', x: [4, 64, 4, 4], w: [64, 64, 3, 3], stride: 1, padding: 1 },
      { name: 'no padding', x: [1, 64, 18, 18], w: [64, 64, 3, 3], stride: 1, padding: 0 },
    ];
    for (const l of shapes) {
      const g = convGeometry('conv2d', l.x, l.w, parseConv2dOptions('conv2d', { stride: l.stride, padding: l.padding }));
      expect(autoPicksWinograd(l), `${l.name} x ${l.x}`).toBe(usesWinograd(g));
      expect(autoPicksWinograd(l, true), `${l.name} x ${l.x}, prepared`).toBe(usesWinograd({ ...g, preparedWeights: true }));
    }
    // 56×56 ×4, 28×28 ×3, 14×14 ×3, 7×7 ×3 (one image: U made a few rows at a time), prepared or not
    expect(RESNET18_CONVS.filter((l: Layer) => autoPicksWinograd(l))).toHaveLength(13);
    expect(RESNET18_CONVS.filter((l: Layer) => autoPicksWinograd(l, true))).toHaveLength(13);
  });
});
