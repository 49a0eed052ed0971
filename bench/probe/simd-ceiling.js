// This machine's per-core Wasm SIMD ceiling: a loop of 12 independent f32x4 accumulators,
// acc = acc·m + c, with nothing else in it. Twelve chains hide the mul and add latency, and
// 12 accumulators + m + c fit V8's 16 xmm registers. Two variants: separate f32x4.mul and
// f32x4.add (what our simd build and the peers use), and f32x4.relaxed_madd (one fused op;
// only validates where relaxed SIMD does, so it is a module of its own).
// The module is assembled here from bytes, so no compiler can rewrite the loop.
import { Bench } from 'tinybench';

const ACCUMULATORS = 12;
const FLOPS_PER_ITERATION = ACCUMULATORS * 4 * 2; // 4 lanes, a multiply and an add each

const op = {
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41, i32Sub: 0x6b, f32Const: 0x43, f32Add: 0x92,
  loop: 0x03, void: 0x40, brIf: 0x0d, end: 0x0b,
  f32x4Splat: [0xfd, 0x13], f32x4ExtractLane: [0xfd, 0x1f], f32x4Add: [0xfd, 0xe4, 0x01], f32x4Mul: [0xfd, 0xe6, 0x01],
  f32x4RelaxedMadd: [0xfd, 0x85, 0x02], // a·b + c
};
const f32 = (v) => [...new Uint8Array(new Float32Array([v]).buffer)];
const uleb = (n) => (n < 128 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >>> 7)]);
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];

/**
 * (func (export "run") (param $n i32) (result f32)): $n iterations of the 12 updates, then the
 * sum of lane 0 of every accumulator so nothing is dead code. Locals: 1..12 acc, 13 m, 14 c.
 */
function probeModule(fused) {
  const M = ACCUMULATORS + 1, C = ACCUMULATORS + 2;
  const body = [
    1, ACCUMULATORS + 2, 0x7b, // one run of 14 v128 locals (accumulators start at 0)
    op.f32Const, ...f32(0.999), ...op.f32x4Splat, op.localSet, M,
    op.f32Const, ...f32(0.001), ...op.f32x4Splat, op.localSet, C,
    op.loop, op.void,
  ];
  for (let a = 1; a <= ACCUMULATORS; a++) {
    body.push(op.localGet, a, op.localGet, M);
    if (fused) body.push(op.localGet, C, ...op.f32x4RelaxedMadd);
    else body.push(...op.f32x4Mul, op.localGet, C, ...op.f32x4Add);
    body.push(op.localSet, a);
  }
  body.push(op.localGet, 0, op.i32Const, 1, op.i32Sub, op.localTee, 0, op.brIf, 0, op.end);
  body.push(op.localGet, 1, ...op.f32x4ExtractLane, 0);
  for (let a = 2; a <= ACCUMULATORS; a++) body.push(op.localGet, a, ...op.f32x4ExtractLane, 0, op.f32Add);
  body.push(op.end);
  const code = [1, ...uleb(body.length), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type 0: (i32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, 3, ...new TextEncoder().encode('run'), 0x00, 0]), // export "run" = func 0
    ...section(10, code),
  ]);
}

export const PROBES = {
  'mul+add': { fused: false, label: '12× f32x4.mul + f32x4.add' },
  relaxed_madd: { fused: true, label: '12× f32x4.relaxed_madd' },
};

/**
 * GFLOP/s of the probe loop's fastest call, or null where the engine does not validate it (no
 * SIMD, or relaxed SIMD without the flag). A ceiling is what the core can do: other work on a
 * shared machine only slows calls down, so the fastest of many ~3 ms calls is the estimate, not
 * the median. Repeated calls let V8 tier the function up to TurboFan first.
 */
export async function measureCeiling(variant, { timeMs = 1000 } = {}) {
  const bytes = probeModule(PROBES[variant].fused);
  if (!WebAssembly.validate(bytes)) return null;
  const { instance } = await WebAssembly.instantiate(bytes);
  const run = instance.exports.run;
  const iterations = 1_000_000; // ~2–4 ms a call at 25–50 GFLOP/s
  if (!(Math.abs(run(10_000) - ACCUMULATORS) < 1e-2)) throw new Error(`SIMD probe ${variant}: wrong result`);
  const bench = new Bench({ time: timeMs, warmupTime: timeMs / 2, iterations: 20, warmupIterations: 20 });
  bench.add(variant, () => run(iterations));
  await bench.run();
  const ms = bench.tasks[0].result.latency.min;
  return { variant, label: PROBES[variant].label, gflops: (iterations * FLOPS_PER_ITERATION) / ms / 1e6 };
}
