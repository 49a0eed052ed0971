// The command line both whole-model benches take (bench/models.js in Node, bench/models-browser.js
// in Chromium): which models, batches and thread counts, the relaxed-SIMD rows, the output file,
// and --quick (or BENCH_QUICK=1): batch 1 only, a short time budget per case (a smoke run).
import { parseArgs } from 'node:util';
import { MODELS } from './torchvision.js';

/** The parsed options; `extra` adds a bench's own (parseArgs' format), `out` is its default result file. */
export function modelBenchOptions({ out, extra = {} }) {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
      models: { type: 'string', default: Object.keys(MODELS).join(',') },
      batches: { type: 'string' },
      threads: { type: 'string', default: '1,2' },
      'no-relaxed': { type: 'boolean', default: false },
      out: { type: 'string', default: out },
      ...extra,
    },
  });
  const quick = args.quick;
  return {
    args,
    quick,
    batches: (args.batches ?? (quick ? '1' : '1,8')).split(',').map(Number),
    threads: args.threads.split(',').map(Number),
    // tinybench's time budget per case and its minimum sample count
    policy: quick ? { budget: 300, minSamples: 2 } : { budget: 3000, minSamples: 5 },
  };
}
