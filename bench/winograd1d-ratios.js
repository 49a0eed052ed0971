// Winograd F(4, 3) against the GEMM path for conv1d (3 taps, stride 1, padding 1): the speed
// ratio Winograd ÷ GEMM (> 1: Winograd faster) of the forward pass, dX and dW+db, both
// algorithms forced and timed in alternating rounds in one process. Prints, per shape and
// pass, the ratio of the medians and of the fastest samples: the figures behind 'auto''s rule
// for conv1d (src/ops/passes/index.ts, docs/winograd.md). Run after `npm run build`:
//   node bench/winograd1d-ratios.js [--isa simd] [--rounds 7] [--shapes 1x64x512,16x32x256]
import { conv1d, conv1dBackwardFilter, conv1dBackwardInput, init, tensor } from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const isa = option('isa', 'simd');
const rounds = Number(option('rounds', 7));
/** N×C×L, C = O */
const DEFAULT_SHAPES = [
  ...[8, 16, 32, 64, 128, 256].flatMap((c) => [64, 512, 4096].map((l) => [1, c, l])),
  ...[8, 16, 32, 128].flatMap((c) => [64, 512].map((l) => [16, c, l])),
  ...[16, 64].flatMap((c) => [64, 256].map((l) => [64, c, l])),
];
const shapes = option('shapes', null)?.split(',').map((s) => s.split('x').map(Number)) ?? DEFAULT_SHAPES;

await init({ isa, threads: 1 });
const random = (n) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

console.log(`isa ${isa}, one thread, ${rounds} rounds; Winograd ÷ GEMM speed (median, fastest sample)`);
console.log('N, C=O, L | forward | dX | dW+db');
for (const [n, c, l] of shapes) {
  const x = tensor(random(n * c * l), [n, c, l]), w = tensor(random(c * c * 3), [c, c, 3]), b = tensor(random(c), [c]);
  const dy = tensor(random(n * c * l), [n, c, l]);
  const passes = {
    forward: (algorithm) => conv1d(x, w, b, { padding: 1, algorithm }),
    dx: (algorithm) => conv1dBackwardInput(dy, w, x.shape, { padding: 1, algorithm }),
    dw: (algorithm) => conv1dBackwardFilter(dy, x, w.shape, { padding: 1, algorithm }),
  };
  const cells = [];
  for (const [, run] of Object.entries(passes)) {
    // calls per sample: about 5 ms of work each
    run('gemm');
    let t = performance.now();
    run('gemm');
    const reps = Math.max(1, Math.round(5 / Math.max(performance.now() - t, 0.01)));
    const samples = { gemm: [], winograd: [] };
    for (let r = 0; r < rounds; r++) {
      for (const algorithm of r % 2 ? ['winograd', 'gemm'] : ['gemm', 'winograd']) {
        run(algorithm);
        t = performance.now();
        for (let i = 0; i < reps; i++) run(algorithm);
        samples[algorithm].push((performance.now() - t) / reps);
      }
    }
    const med = median(samples.gemm) / median(samples.winograd);
    const fast = Math.min(...samples.gemm) / Math.min(...samples.winograd);
    cells.push(`${med.toFixed(2)}, ${fast.toFixed(2)} (${Math.min(...samples.winograd).toFixed(2)} ms)`);
  }
  console.log(`${n}, ${c}, ${l} | ${cells.join(' | ')}`);
}
process.exit(0);
