// `npm run example`: the worked example and one convolution of each pass on every ISA this engine
// supports, checked against the JS reference, with timings.
import { backend, conv1d, conv1dBackward, conv2d, conv2dBackward, init, tensor } from 'wasmconv';
import { conv2dBackwardRef, conv2dRef } from 'wasmconv/reference';
import { randomTensor } from '../bench/random-tensor.js';
import { SHAPES, flopsPerPass } from '../bench/shapes.js';
import { relaunchWithRelaxedSimd } from '../dist/node/relaunch.js';

relaunchWithRelaxedSimd();

const fmt = (a) => `[${Array.from(a, (v) => +v.toPrecision(7)).join(', ')}]`;

function median(times) {
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn, repeats) {
  const times = [];
  let result;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), result };
}

/** Largest |got − ref| relative to the largest |ref| of the array. */
function relativeError(got, ref) {
  let err = 0, mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(got[i] - ref[i]));
    mag = Math.max(mag, Math.abs(ref[i]));
  }
  return err / mag;
}

// DESIGN.md's S2 (mnist-c2): x [64,32,14,14], w [64,32,3,3], padding 1
const S2 = SHAPES.find((s) => s.id.startsWith('S2'));
const x = randomTensor(S2.x, 1);
const w = randomTensor(S2.w, 2);
const bias = randomTensor([S2.w[0]], 3);
const opts = S2.opts;
const flops = flopsPerPass(S2);

console.log('wasmconv: convolution forward and backward in WebAssembly\n');
console.log('JS reference (float64) for S2 mnist-c2 x [64,32,14,14] ⋆ w [64,32,3,3], padding 1 ...');
const t0 = performance.now();
const yRef = conv2dRef(x, w, bias.data, opts);
const dy = randomTensor(yRef.shape, 4);
const gRef = conv2dBackwardRef(dy, x, w, opts);
console.log(`  took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

await init();
const isas = backend().supported;
console.log(`ISAs this engine supports: ${isas.join(', ')}\n`);

for (const isa of isas) {
  await init({ isa });
  console.log(`── isa ${backend().isa} ──`);
  const xe = tensor([1, 2, 3], [1, 1, 3]);
  const we = tensor([0.3, 0.5], [1, 1, 2]);
  const ye = conv1d(xe, we);
  const ge = conv1dBackward(tensor([-0.1, 0.2], [1, 1, 2]), xe, we);
  console.log(`  worked example: y ${fmt(ye.data)}  dW ${fmt(ge.dw.data)}  db ${fmt(ge.db.data)}  dX ${fmt(ge.dx.data)}`);

  const fwd = time(() => conv2d(x, w, bias, opts), 5);
  const bwd = time(() => conv2dBackward(dy, x, w, opts), 5);
  console.log(
    `  S2 forward      ${fwd.ms.toFixed(2).padStart(8)} ms  ${(flops / fwd.ms / 1e6).toFixed(2).padStart(6)} GFLOP/s` +
      `  max error vs reference ${relativeError(fwd.result.data, yRef.data).toExponential(1)} (relative to max |y|)`,
  );
  console.log(
    `  S2 dX+dW+db     ${bwd.ms.toFixed(2).padStart(8)} ms  ${((2 * flops) / bwd.ms / 1e6).toFixed(2).padStart(6)} GFLOP/s` +
      `  max error dX ${relativeError(bwd.result.dx.data, gRef.dx.data).toExponential(1)}, dW ${relativeError(bwd.result.dw.data, gRef.dw.data).toExponential(1)}, ` +
      `db ${relativeError(bwd.result.db.data, gRef.db.data).toExponential(1)}`,
  );
  console.log(`  Wasm memory in use: ${(backend().memoryBytes / 2 ** 20).toFixed(1)} MiB\n`);
}
console.log('Timings are medians of 5 runs on one thread; `npm run bench` measures properly.');
