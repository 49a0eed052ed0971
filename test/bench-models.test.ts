// bench:models' models (bench/models/torchvision.js; nothing is timed here): each is a valid ONNX
// model that native onnxruntime runs to [N, 1000] logits, with torchvision's parameter count less
// the BatchNorm parameters the export folds into the convs (one bias per channel stays), and
// nn.fromONNX imports it to the same logits (max |Δ| ≤ 1e-4·max |y|) on every ISA.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../bench/models/resnet18.js';
import { mobilenetV2, resnet, squeezenet11 } from '../bench/models/torchvision.js';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { maxDiff } from './helpers/onnx-models.js';

const { onnx } = onnxProto;

interface ModelCase {
  name: string;
  bytes: () => Uint8Array;
  /** torchvision's parameter count minus Σ channels of its BatchNorms (γ and β fold into one conv bias) */
  parameters: number;
  /** ISAs our import is run on here (see `why`) */
  isas: string[];
  why?: string;
}

const MODELS: ModelCase[] = [
  { name: 'ResNet-18', bytes: () => resnet([2, 2, 2, 2]), parameters: 11_689_512 - 4_800, isas: TEST_ISAS.filter((i) => i !== 'scalar'),
    why: 'not on scalar: 1.8 GFLOP per image takes seconds there; the same operators run on every ISA in test/onnx-import.test.ts (resnetModel)' },
  { name: 'MobileNetV2', bytes: () => mobilenetV2(), parameters: 3_504_872 - 17_056, isas: TEST_ISAS },
  { name: 'SqueezeNet 1.1', bytes: () => squeezenet11(), parameters: 1_235_496, isas: TEST_ISAS },
];

describe.each(MODELS)('bench:models model $name', (m) => {
  const bytes = m.bytes();
  const x = seededRandom(5).uniform(2 * 3 * 224 * 224, -1, 1);

  it('has torchvision\'s parameter count (BatchNorm folded) and runs in onnxruntime-node', async () => {
    const graph = onnx.ModelProto.decode(bytes).graph!;
    const count = graph.initializer!.filter((t) => !t.name!.startsWith('clip_')).reduce((a, t) => a + (t.dims ?? []).map(Number).reduce((p, d) => p * d, 1), 0);
    expect(count).toBe(m.parameters);
    const session = await ort.InferenceSession.create(bytes);
    const { logits } = await session.run({ input: new ort.Tensor('float32', x, [2, 3, 224, 224]) });
    expect(logits.dims).toEqual([2, 1000]);
    await session.release();
  });

  it.each(m.isas)(`nn.fromONNX gives onnxruntime-node's logits, isa %s${m.why ? ` (${m.why})` : ''}`, async (isa) => {
    await init({ isa: isa as never });
    const session = await ort.InferenceSession.create(bytes);
    const ref = (await session.run({ input: new ort.Tensor('float32', x, [2, 3, 224, 224]) })).logits.data as Float32Array;
    await session.release();
    const model = nn.fromONNX(bytes, { name: m.name });
    try {
      const ours = model.eval().run({ input: { data: x, shape: [2, 3, 224, 224] } }).logits.data;
      const { diff, scale } = maxDiff(ours, ref);
      expect(scale).toBeGreaterThan(0);
      expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
