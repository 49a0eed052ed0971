// `node bench/maxpool.js [buildDir]`: times f32_maxpool2d alone, one thread, on LeNet's two pools
// (64×16×24×24 and 64×32×8×8, 2×2 windows, stride 2) for every ISA this engine validates
// (relaxed-simd needs `node --experimental-wasm-relaxed-simd`). The binaries are instantiated
// directly from buildDir (default build/), so an older build can be timed for comparison. Input
// is ReLU-like (about half zeros), as in training. A few hundred calls per row: seconds in all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? new URL('../build/', import.meta.url).pathname;
const SHAPES = [
  { name: 'pool1 64×16×24×24', planes: 64 * 16, H: 24, W: 24 },
  { name: 'pool2 64×32×8×8', planes: 64 * 32, H: 8, W: 8 },
];
const K = 2, S = 2;

let seed = 1;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

for (const isa of ['scalar', 'simd', 'relaxed-simd']) {
  const bytes = readFileSync(join(dir, `wasmconv-${isa}.wasm`));
  if (!WebAssembly.validate(bytes)) {
    console.log(`${isa}: not validated by this engine (relaxed-simd: --experimental-wasm-relaxed-simd)`);
    continue;
  }
  const k = (await WebAssembly.instantiate(bytes)).instance.exports;
  for (const { name, planes, H, W } of SHAPES) {
    const OH = Math.floor((H - K) / S) + 1, OW = Math.floor((W - K) / S) + 1;
    const inBytes = planes * H * W * 4, outBytes = planes * OH * OW * 4;
    const x = (k.heap_base() + 15) & ~15, y = x + inBytes, idx = y + outBytes;
    const need = idx + outBytes - k.memory.buffer.byteLength;
    if (need > 0) k.memory.grow(Math.ceil(need / 65536));
    const xs = new Float32Array(k.memory.buffer, x, inBytes / 4);
    for (let i = 0; i < xs.length; i++) xs[i] = Math.max(0, random() * 2 - 1);
    const run = () => k.f32_maxpool2d(x, planes, H, W, K, K, S, S, OH, OW, y, idx);
    for (let i = 0; i < 20; i++) run(); // warm-up (tier-up)
    // best of 5 batches of 40 calls: the least disturbed by other work on the machine
    let best = Infinity;
    for (let b = 0; b < 5; b++) {
      const t0 = performance.now();
      for (let i = 0; i < 40; i++) run();
      best = Math.min(best, (performance.now() - t0) / 40);
    }
    const gbs = (inBytes + 2 * outBytes) / (best * 1e6);
    console.log(`${isa.padEnd(12)} ${name.padEnd(18)} ${best.toFixed(3).padStart(7)} ms  ${gbs.toFixed(2).padStart(6)} GB/s (x read, y + idx written)`);
  }
}
