// The relaxed-SIMD measurements, in a process of their own: Node 20 validates relaxed SIMD only
// with --experimental-wasm-relaxed-simd, and the peers and the other ISAs are timed without that
// flag. Started by run.js with the same flags; prints one JSON object on stdout, progress on stderr.
// One thread, and --threads threads.
import { measureCeiling } from './probe/simd-ceiling.js';
import { parseOptions } from './options.js';
import { POLICIES } from './measure.js';
import { ALGORITHM_ROWS, oursImpl, supportedIsas } from './ours.js';
import { runSuite } from './suite.js';

const opts = parseOptions(process.argv.slice(2));
const isas = await supportedIsas();
let result;
if (!isas.includes('relaxed-simd')) {
  result = { available: false, reason: `this engine does not validate relaxed SIMD (execArgv: ${process.execArgv.join(' ') || 'none'})` };
} else {
  const policy = POLICIES[opts.quick ? 'quick' : 'full'];
  process.stderr.write('relaxed-simd child: SIMD ceiling probe (relaxed_madd)\n');
  const probe = await measureCeiling('relaxed_madd', { timeMs: opts.quick ? 300 : 1000 });
  const rows = await runSuite({
    impls: [
      oursImpl('relaxed-simd'), ...ALGORITHM_ROWS.map((a) => oursImpl('relaxed-simd', 1, a)),
      ...(opts.threads > 1 ? [oursImpl('relaxed-simd', opts.threads)] : []),
    ].filter((impl) => (opts.impls ? opts.impls.includes(impl.name) : !impl.name.endsWith('-gemm'))),
    shapes: opts.shapes,
    passes: opts.passes,
    policy,
    checkIsa: isas.includes('simd') ? 'simd' : 'scalar',
    progress: (m) => process.stderr.write(`${m}\n`),
    tag: 'relaxed ',
  });
  result = { available: true, probe, rows };
}
process.stdout.write(JSON.stringify(result) + '\n');
