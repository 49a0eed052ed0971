// ResNet-18 (bench/models/resnet18.js, as torchvision exports it) imported with nn.fromONNX and
// run at batch 1 in eval mode, on 1 and on 2 threads: how far one image's inference scales on
// the pool (docs/threads.md). The thread counts take turns in rounds, so a shared machine's
// noise lands on both; ratios are of medians and of fastest samples.
//
//   node bench/graph-batch1.js [--rounds 6] [--samples 5] [--isa simd]
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import { backend, init, nn } from 'wasmconv';
import { machineInfo } from './machine.js';
import { INPUT_SHAPE, resnet18, seededRandom } from './models/resnet18.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '6' }, samples: { type: 'string', default: '5' }, isa: { type: 'string', default: 'simd' } },
});
const ROUNDS = Number(args.rounds), SAMPLES = Number(args.samples), ISA = args.isa;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * nn.fromONNX does not take MaxPool's pads yet (MaxPool2d has no padding): the stem conv pads
 * one more row and column at the bottom and right instead (113×113 out), so the unpadded 3×3/2
 * MaxPool gives 56×56 and every later layer has ResNet-18's shapes.
 */
function withoutMaxPoolPads(bytes) {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(bytes);
  const stem = model.graph.node.find((n) => n.opType === 'Conv');
  stem.attribute.find((a) => a.name === 'pads').ints = [3, 3, 4, 4];
  const pool = model.graph.node.find((n) => n.opType === 'MaxPool');
  pool.attribute = pool.attribute.filter((a) => a.name !== 'pads');
  return onnx.ModelProto.encode(model).finish();
}
const bytes = withoutMaxPoolPads(resnet18(18).bytes);
const input = { data: seededRandom(224).uniform(INPUT_SHAPE.reduce((a, b) => a * b), -1, 1), shape: INPUT_SHAPE };
let model = null;
const outputs = new Map();
async function modelOn(threads) {
  // a model's resident tensors belong to the backend it was built on: rebuilt after each init()
  model?.dispose();
  await init({ isa: ISA, threads });
  if (backend().threads !== threads) throw new Error(`asked for ${threads} threads, got ${backend().threads} (${backend().threadsNote ?? ''})`);
  model = nn.fromONNX(bytes);
  model.eval();
  outputs.set(threads, model.forward(input).data.slice()); // warm-up
  return model;
}

const samples = new Map([[1, []], [2, []]]);
console.log(`graph-batch1: nn.fromONNX ResNet-18, batch 1, eval, ${ISA}; machine ${machineInfo().cpu}, load ${machineInfo().loadAverage.join(' ')} (shared: noisy)`);
for (let round = 0; round < ROUNDS; round++) {
  for (const threads of round % 2 ? [2, 1] : [1, 2]) {
    await modelOn(threads);
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      model.forward(input);
      samples.get(threads).push(performance.now() - t0);
    }
  }
}
const same = outputs.get(1).every((v, i) => Object.is(v, outputs.get(2)[i]));
const [m1, m2] = [median(samples.get(1)), median(samples.get(2))];
const [f1, f2] = [Math.min(...samples.get(1)), Math.min(...samples.get(2))];
console.log(`1 thread:  median ${m1.toFixed(1)} ms, fastest ${f1.toFixed(1)} ms`);
console.log(`2 threads: median ${m2.toFixed(1)} ms, fastest ${f2.toFixed(1)} ms`);
console.log(`speed-up:  median ${(m1 / m2).toFixed(2)}×, fastest ${(f1 / f2).toFixed(2)}×; logits bit-identical: ${same}; load ${machineInfo().loadAverage.join(' ')}`);
model.dispose();
