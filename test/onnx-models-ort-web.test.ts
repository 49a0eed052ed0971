// Whole ResNet-18 and MobileNetV2 graphs (bench:models' builders, bench/models/torchvision.js: the
// graphs torchvision's export writes, BatchNorm folded into the convs, ReLU6 as Clip, GAP,
// Flatten, Gemm; every layer and channel count of the real models) imported with nn.fromONNX
// give onnxruntime-web's logits (its wasm backend, one thread, the reference) within
// 1e-4·max |y|, on every ISA and on 1 and 2 of our threads, at batch 1 (one image split across
// the threads) and batch 2 (the batch split).
//
// The input is 64×64 instead of 224×224: the op structure, weights and channel counts are the
// same (the last stage still sees a 2×2 map that GlobalAveragePool averages), at ~8 % of the
// FLOPs, so the scalar build runs them in test time. test/bench-models.test.ts runs the 224×224
// models against onnxruntime-node.
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../bench/models/resnet18.js';
import { mobilenetV2, resnet } from '../bench/models/torchvision.js';
import { backend, init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { maxDiff, runOrt } from './helpers/onnx-models.js';

const SIZE = 64;
const BATCHES = [1, 2];
const THREADS = [1, 2];

const MODELS = [
  { name: 'ResNet-18', bytes: () => resnet([2, 2, 2, 2], 18, { size: SIZE }) },
  { name: 'MobileNetV2', bytes: () => mobilenetV2(2, { size: SIZE }) },
];

describe.each(MODELS)('$name (3×64×64) imported with nn.fromONNX vs onnxruntime-web', ({ name, bytes: build }) => {
  let bytes: Uint8Array;
  const inputs = BATCHES.map((batch) => ({ data: seededRandom(100 + batch).uniform(batch * 3 * SIZE * SIZE, -1, 1), shape: [batch, 3, SIZE, SIZE] }));
  let references: Float32Array[];

  beforeAll(async () => {
    bytes = build();
    references = [];
    for (const x of inputs) references.push((await runOrt(bytes, { input: x })).logits);
  });

  const cases = TEST_ISAS.flatMap((isa) => THREADS.map((threads) => ({ isa, threads })));
  it.each(cases)('gives its logits at batch 1 and 2, isa $isa, $threads thread(s)', async ({ isa, threads }) => {
    await init({ isa, threads });
    expect(backend()).toMatchObject({ isa, threads });
    const model = nn.fromONNX(bytes, { name }).eval();
    try {
      inputs.forEach((x, i) => {
        const ours = model.run({ input: x }).logits;
        expect(ours.shape).toEqual([x.shape[0], 1000]);
        const { diff, scale } = maxDiff(ours.data, references[i]);
        expect(scale).toBeGreaterThan(0);
        expect(diff, `batch ${x.shape[0]}: max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
      });
    } finally {
      model.dispose();
      await init({ isa, threads: 1 });
    }
  });
});
