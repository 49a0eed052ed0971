// Trains LeNet on 2 threads for a few epochs of random digits, printing "--- measured" between
// the first (warm-up) epoch and the rest. Run by test/jit-stability.test.ts under --trace-deopt.
import { dispose, init, nn } from '../../dist/index.js';

await init({ isa: 'simd', threads: 2 });
const batch = 64, count = 640;
const images = Float32Array.from({ length: count * 784 }, (_, i) => ((i * 7919) % 256) / 255);
const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
const model = nn.lenet({ seed: 1 });
const opt = new nn.SGD(model.parameters(), { lr: 0.01 });
const epoch = () => nn.trainEpoch(model, opt, { data: images, shape: [count, 1, 28, 28] }, labels, { batchSize: batch });
epoch();
console.log('--- measured');
for (let e = 0; e < 3; e++) epoch();
await dispose();
