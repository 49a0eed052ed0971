// Issue 17's model target: the 20 conv layers of torchvision's ResNet-18 at batch 1, summed,
// through the public API (conv2d with bias, weights and inputs prebuilt; and prepareConv2d's
// prepared weights, as inference with fixed weights runs them), against native
// onnxruntime-node running the WHOLE model (built in code: bench/models/resnet18.js) in the
// same run. Implementations take turns in rounds so a shared machine's noise lands on all.
//
//   node bench/resnet18-convs.js [--rounds 8] [--samples 4] [--isa simd] [--out bench/results/resnet18-convs.json]
//   (--isa relaxed-simd needs node --experimental-wasm-relaxed-simd)
//
// After the rounds: each prepared layer run 8 times in a row (its weights cached), and what the
// ≤ 1.6× target asks of the 3×3 stride-1 layers once the others run at the measured SIMD ceiling.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { backend, conv2d, init, prepareConv2d, tensor } from 'wasmconv';
import { autoPicksWinograd } from './auto-algorithm.js';
import { measureCeiling } from './probe/simd-ceiling.js';
import { machineInfo } from './machine.js';
import { convFlops, INPUT_SHAPE, outSize, RESNET18_CONVS, resnet18, seededRandom } from './models/resnet18.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    samples: { type: 'string', default: '4' }, // per implementation per round
    isa: { type: 'string', default: 'simd' },
    out: { type: 'string', default: 'bench/results/resnet18-convs.json' },
  },
});
const ROUNDS = Number(args.rounds), SAMPLES = Number(args.samples), ISA = args.isa;
const ORT_VERSION = createRequire(import.meta.url)('onnxruntime-node/package.json').version;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => ms.toFixed(ms < 10 ? 2 : 1);

// --- data: the model and, for our convs, the same weights and seeded inputs of each layer's shape
const model = resnet18(18);
const inputRandom = seededRandom(224);
const layers = RESNET18_CONVS.map((layer, i) => ({
  ...layer,
  flops: convFlops(layer),
  autoWinograd: autoPicksWinograd(layer),
  preparedWinograd: autoPicksWinograd(layer, true),
  xT: tensor(inputRandom.uniform(layer.x.reduce((a, b) => a * b), -1, 1), layer.x),
  wT: tensor(model.convParams[i].w, layer.w),
  bT: tensor(model.convParams[i].b, [layer.w[0]]),
}));
const totalFlops = layers.reduce((a, l) => a + l.flops, 0);
const ortInput = new ort.Tensor('float32', inputRandom.uniform(INPUT_SHAPE.reduce((a, b) => a * b), -1, 1), INPUT_SHAPE);

// --- implementations: each has setup() (once per round, before its samples) and sample() → ms
const ortSessions = new Map();
function ortImpl(threads) {
  return {
    name: `onnxruntime-node ×${threads} (whole model)`, kind: 'ort', threads,
    async setup() {
      if (!ortSessions.has(threads)) {
        ortSessions.set(threads, await ort.InferenceSession.create(model.bytes, {
          executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
          executionMode: 'sequential', graphOptimizationLevel: 'all',
        }));
      }
      await ortSessions.get(threads).run({ input: ortInput }); // warm-up
    },
    async sample() {
      const t0 = performance.now();
      const { logits } = await ortSessions.get(threads).run({ input: ortInput });
      const ms = performance.now() - t0;
      if (logits.dims[1] !== 1000) throw new Error(`onnxruntime-node: logits ${logits.dims}`);
      return { ms };
    },
  };
}

/**
 * Our 20 convs: per call (conv2d: w and bias copied in, packed or transformed, every call) or
 * prepared (prepareConv2d once, outside the timing: what inference with fixed weights does).
 */
function oursImpl(threads, algorithm, prepared = false) {
  const opts = (l) => ({ stride: l.stride, padding: l.padding, algorithm });
  // made once, on the first setup; each run() lays them out again after an init() switch,
  // which the warm-up run below absorbs
  let plans = null;
  const convOf = (l, i) => (prepared ? plans[i].run(l.xT) : conv2d(l.xT, l.wT, l.bT, opts(l)));
  const runAll = () => layers.map((l, i) => {
    const t0 = performance.now();
    const y = convOf(l, i);
    const ms = performance.now() - t0;
    if (y.shape[2] !== outSize(l)) throw new Error(`${l.name}: output ${y.shape}`);
    return ms;
  });
  return {
    name: `wasmconv ${ISA} ×${threads} '${algorithm}'${prepared ? ' prepared' : ''} (20 convs)`, kind: 'ours', threads, algorithm, prepared,
    async setup() {
      await init({ isa: ISA, threads });
      if (backend().isa !== ISA || backend().threads !== threads) {
        throw new Error(`wasmconv: asked for ${ISA} ×${threads}, got ${backend().isa} ×${backend().threads} (${backend().threadsNote ?? ''})`);
      }
      if (prepared) plans ??= layers.map((l) => prepareConv2d(l.wT, l.bT, opts(l)));
      runAll(); // warm-up
    },
    async sample() {
      const t0 = performance.now();
      const perLayer = runAll();
      return { ms: performance.now() - t0, perLayer };
    },
    /** Median ms per layer over `runs` calls of that layer in a row (after one untimed call). */
    cachedPerLayer(runs) {
      return layers.map((l, i) => {
        convOf(l, i);
        const ms = [];
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          convOf(l, i);
          ms.push(performance.now() - t0);
        }
        return median(ms);
      });
    },
  };
}

const impls = [
  ortImpl(1), oursImpl(1, 'auto', true), oursImpl(1, 'auto'), oursImpl(1, 'gemm'),
  ortImpl(2), oursImpl(2, 'auto', true), oursImpl(2, 'auto'), oursImpl(2, 'gemm'),
];
const samples = new Map(impls.map((impl) => [impl, []]));

const machine = machineInfo();
console.log(`bench:resnet18 — ResNet-18 batch 1: our 20 convs vs onnxruntime-node ${ORT_VERSION} (CPU EP) whole model`);
console.log(`machine: ${machine.cpu}, ${machine.cores} logical cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')} ` +
  '(shared with other engineers: timings are noisy; implementations take turns in each round)');
console.log(`${ROUNDS} rounds × ${SAMPLES} samples per implementation; conv FLOPs (direct) ${(totalFlops / 1e9).toFixed(3)} G\n`);

for (let round = 0; round < ROUNDS; round++) {
  // rotate the order each round so no implementation always follows the same one
  const order = impls.map((_, i) => impls[(i + round) % impls.length]);
  for (const impl of order) {
    await impl.setup();
    for (let i = 0; i < SAMPLES; i++) samples.get(impl).push(await impl.sample());
  }
  process.stdout.write(`round ${round + 1}/${ROUNDS} done, load ${machineInfo().loadAverage.join(' ')}\n`);
}
for (const s of ortSessions.values()) await s.release();

/**
 * onnxruntime's own time per Conv node (1 thread), from its profiler, in a session of its own
 * after the timed rounds (profiling is not part of any timed sample). Its Conv nodes have Relu
 * and the residual Add fused in; a node is matched to our layer by weight and output shape, in
 * execution order among equal shapes.
 */
async function ortConvProfile(runs = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'wasmconv-ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(model.bytes, {
      executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
      graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: join(dir, 'ort'),
    });
    for (let i = 0; i < runs; i++) await session.run({ input: ortInput });
    await session.release(); // writes the profile
    const events = readdirSync(dir).flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
      .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name === 'Conv');
    const nodes = new Map(); // name → { key, firstTs, durs }
    for (const e of events) {
      const key = `${e.args.input_type_shape[1].float.join('×')} → ${e.args.output_type_shape[0].float.join('×')}`;
      if (!nodes.has(e.name)) nodes.set(e.name, { key, firstTs: e.ts, durs: [] });
      nodes.get(e.name).durs.push(e.dur / 1e3);
    }
    const unused = [...nodes.values()].sort((a, b) => a.firstTs - b.firstTs);
    return layers.map((l) => {
      const key = `${l.w.join('×')} → ${[1, l.w[0], outSize(l), outSize(l)].join('×')}`;
      const at = unused.findIndex((n) => n.key === key);
      return at < 0 ? null : median(unused.splice(at, 1)[0].durs);
    });
  } catch (error) {
    console.log(`onnxruntime-node per-layer profile not available: ${error.message}`);
    return layers.map(() => null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const ortPerLayer = await ortConvProfile();

/**
 * Each prepared layer run CACHED_RUNS times in a row on one thread (its weights, U or packed W,
 * then in cache): against the in-turn figures, what reading the weights from memory costs at
 * batch 1, where every layer's weights were evicted by the other 19 layers' since its last run.
 */
const CACHED_RUNS = 8;
const cachedImpl = impls.find((i) => i.kind === 'ours' && i.threads === 1 && i.algorithm === 'auto' && i.prepared);
await cachedImpl.setup();
const cached1 = cachedImpl.cachedPerLayer(CACHED_RUNS);

// this machine's Wasm SIMD ceiling (one core; relaxed_madd for the relaxed-simd build), for the target analysis below
const CEILING_PROBE = ISA === 'relaxed-simd' ? 'relaxed_madd' : 'mul+add';
const ceiling = (await measureCeiling(CEILING_PROBE))?.gflops ?? null;
const loadAfter = machineInfo().loadAverage;

// --- results
const summary = (impl) => {
  const ms = samples.get(impl).map((s) => s.ms);
  return { medianMs: median(ms), fastestMs: Math.min(...ms), samples: ms.length };
};
const ort1 = summary(impls[0]);
const rows = impls.map((impl) => {
  const s = summary(impl);
  const ortSame = summary(impls.find((i) => i.kind === 'ort' && i.threads === impl.threads));
  return {
    impl: impl.name, threads: impl.threads, algorithm: impl.algorithm ?? null, prepared: impl.prepared ?? null, ...s,
    ...(impl.kind === 'ours' ? {
      convGflops: +(totalFlops / s.medianMs / 1e6).toFixed(2),
      convGflopsFastest: +(totalFlops / s.fastestMs / 1e6).toFixed(2),
      ratioToOrt1Median: +(s.medianMs / ort1.medianMs).toFixed(3),
      ratioToOrt1Fastest: +(s.fastestMs / ort1.fastestMs).toFixed(3),
      ratioToOrtSameThreadsMedian: +(s.medianMs / ortSame.medianMs).toFixed(3),
      ratioToOrtSameThreadsFastest: +(s.fastestMs / ortSame.fastestMs).toFixed(3),
    } : { modelGflopsConvsOnly: +(totalFlops / s.medianMs / 1e6).toFixed(2) }),
  };
});

const perLayerOf = (impl) => layers.map((l, i) => median(samples.get(impl).map((s) => s.perLayer[i])));
const ours = (threads, algorithm, prepared = false) =>
  impls.find((i) => i.kind === 'ours' && i.threads === threads && i.algorithm === algorithm && i.prepared === prepared);
const auto1 = perLayerOf(ours(1, 'auto')), gemm1 = perLayerOf(ours(1, 'gemm')), auto2 = perLayerOf(ours(2, 'auto'));
const prepared1 = perLayerOf(ours(1, 'auto', true)), prepared2 = perLayerOf(ours(2, 'auto', true));
const preparedSum = prepared1.reduce((a, b) => a + b, 0);
const autoSum = auto1.reduce((a, b) => a + b, 0);
const perLayer = layers.map((l, i) => ({
  layer: l.name, x: l.x, w: l.w, stride: l.stride, padding: l.padding, outHW: outSize(l),
  mflops: +(l.flops / 1e6).toFixed(1),
  autoPicks: l.autoWinograd ? 'winograd' : 'gemm',
  preparedPicks: l.preparedWinograd ? 'winograd' : 'gemm',
  preparedMs: +prepared1[i].toFixed(3), preparedShare: +(prepared1[i] / preparedSum).toFixed(3), prepared2ThreadsMs: +prepared2[i].toFixed(3),
  autoMs: +auto1[i].toFixed(3), gemmMs: +gemm1[i].toFixed(3), auto2ThreadsMs: +auto2[i].toFixed(3),
  autoShare: +(auto1[i] / autoSum).toFixed(3),
  preparedCachedMs: +cached1[i].toFixed(3),
  ortProfiledMs: ortPerLayer[i] == null ? null : +ortPerLayer[i].toFixed(3),
  autoGflops: +(l.flops / auto1[i] / 1e6).toFixed(1),
  preparedGflops: +(l.flops / prepared1[i] / 1e6).toFixed(1),
}));

/**
 * What ≤ 1.6× onnxruntime ×1 asks of the 3×3 stride-1 layers (the ones Winograd serves) once
 * the others (stem, stride 2, 1×1) run at this machine's SIMD ceiling, their best case.
 */
function targetAnalysis(targetRatio = 1.6) {
  const flopsOf = (winograd) => layers.filter((l) => l.preparedWinograd === winograd).reduce((a, l) => a + l.flops, 0);
  const winogradFlops = flopsOf(true), otherFlops = flopsOf(false);
  const targetMs = targetRatio * ort1.medianMs;
  const othersAtCeilingMs = ceiling ? otherFlops / ceiling / 1e6 : null;
  const winogradBudgetMs = othersAtCeilingMs == null ? null : targetMs - othersAtCeilingMs;
  const neededGflops = winogradBudgetMs > 0 ? winogradFlops / winogradBudgetMs / 1e6 : null;
  const sumOf = (times, winograd) => layers.reduce((a, l, i) => a + (l.preparedWinograd === winograd ? times[i] : 0), 0);
  const ortConvMs = ortPerLayer.every((t) => t != null) ? ortPerLayer.reduce((a, b) => a + b, 0) : null;
  return {
    targetRatio, targetMs: +targetMs.toFixed(2), ceilingProbe: CEILING_PROBE, ceilingGflops: ceiling == null ? null : +ceiling.toFixed(1),
    winogradLayerGflop: +(winogradFlops / 1e9).toFixed(3), otherLayerGflop: +(otherFlops / 1e9).toFixed(3),
    othersAtCeilingMs: othersAtCeilingMs == null ? null : +othersAtCeilingMs.toFixed(2),
    winogradBudgetMs: winogradBudgetMs == null ? null : +winogradBudgetMs.toFixed(2),
    winogradNeededGflops: neededGflops == null ? null : +neededGflops.toFixed(1),
    winogradNeededTimesCeiling: neededGflops == null || !ceiling ? null : +(neededGflops / ceiling).toFixed(2),
    winogradPreparedGflops: +(winogradFlops / sumOf(prepared1, true) / 1e6).toFixed(1),
    winogradCachedGflops: +(winogradFlops / sumOf(cached1, true) / 1e6).toFixed(1),
    othersPreparedGflops: +(otherFlops / sumOf(prepared1, false) / 1e6).toFixed(1),
    ortConvGflops: ortConvMs == null ? null : +(totalFlops / ortConvMs / 1e6).toFixed(1),
  };
}
const analysis = targetAnalysis();

const result = {
  date: new Date().toISOString(),
  command: `node bench/resnet18-convs.js --rounds ${ROUNDS} --samples ${SAMPLES} --isa ${ISA}`,
  machine: { ...machine, loadAverageAfter: loadAfter },
  onnxruntimeNode: ORT_VERSION,
  model: 'torchvision ResNet-18 as exported (BN folded into Conv bias), batch 1, 3×224×224, seeded He-init weights; ' +
    'ORT CPU EP, graphOptimizationLevel all, intraOpNumThreads = threads, interOpNumThreads 1, sequential',
  ours: `wasmconv conv2d (public API, with bias) on the 20 conv layers, isa ${ISA}, init({ threads }), per call and prepared ` +
    '(prepareConv2d once, untimed; run(x) timed); per-layer times are medians over samples',
  convFlops: totalFlops,
  rounds: ROUNDS, samplesPerRound: SAMPLES,
  rows, perLayer, analysis,
};
writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');

const x = (r) => (r == null ? '' : `${r.toFixed(2)}×`);
console.log('\n| implementation | threads | median ms | fastest ms | conv GFLOP/s (median) | ÷ ORT ×1 median | ÷ ORT ×1 fastest | ÷ ORT same threads median | fastest |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.impl} | ${r.threads} | ${fmt(r.medianMs)} | ${fmt(r.fastestMs)} | ${r.convGflops ?? ''} | ${x(r.ratioToOrt1Median)} | ${x(r.ratioToOrt1Fastest)} | ` +
    `${x(r.ratioToOrtSameThreadsMedian)} | ${x(r.ratioToOrtSameThreadsFastest)} |`);
}
console.log(`\nper layer (ours, ${ISA}, medians; 'auto' prepared, 'auto' and 'gemm' per call, 1 thread; 'auto' prepared 2 threads; ` +
  "onnxruntime-node's own Conv kernel time from its profiler, 1 thread, Relu/Add fused in):\n");
console.log('| layer | x | w | stride | MFLOP | picks (prepared / per call) | prepared ms | share | prepared GFLOP/s | prepared, cached ms | auto ms | gemm ms | prepared ×2 ms | ORT ×1 profiled ms | prepared ÷ ORT |');
console.log('|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const p of perLayer) {
  console.log(`| ${p.layer} | ${p.x.join('×')} | ${p.w.join('×')} | ${p.stride} | ${p.mflops} | ${p.preparedPicks} / ${p.autoPicks} | ${fmt(p.preparedMs)} | ` +
    `${(p.preparedShare * 100).toFixed(1)}% | ${p.preparedGflops} | ${fmt(p.preparedCachedMs)} | ${fmt(p.autoMs)} | ${fmt(p.gemmMs)} | ${fmt(p.prepared2ThreadsMs)} | ` +
    `${p.ortProfiledMs == null ? '—' : fmt(p.ortProfiledMs)} | ${p.ortProfiledMs == null ? '—' : x(p.preparedMs / p.ortProfiledMs)} |`);
}
console.log(`\n'prepared, cached': each layer ${CACHED_RUNS} times in a row (weights in cache), median; the other columns run the 20 layers in turn.`);
const a = analysis;
console.log(`\nWhat ≤ ${a.targetRatio}× onnxruntime ×1 needs: our 20 convs in ≤ ${fmt(a.targetMs)} ms (median). At this machine's ` +
  `SIMD ceiling (${a.ceilingGflops ?? 'n/a'} GFLOP/s ${a.ceilingProbe}, one core) the layers Winograd does not serve ` +
  `(${a.otherLayerGflop} GFLOP; ${a.othersPreparedGflops} GFLOP/s measured) take ≥ ${a.othersAtCeilingMs ?? 'n/a'} ms, leaving ` +
  `${a.winogradBudgetMs ?? 'n/a'} ms for the ${a.winogradLayerGflop} GFLOP of 3×3 stride-1 layers: ${a.winogradNeededGflops ?? 'n/a'} GFLOP/s effective, ` +
  `${a.winogradNeededTimesCeiling ?? 'n/a'}× the ceiling (measured: ${a.winogradPreparedGflops} in turn, ${a.winogradCachedGflops} cached). ` +
  `onnxruntime's own Conv kernels ran at ${a.ortConvGflops ?? 'n/a'} GFLOP/s.`);
console.log(`\nwritten to ${args.out}; load average after: ${loadAfter.join(' ')}`);
