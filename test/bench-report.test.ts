// The benchmark's pure report helpers: ratios to the best peer, % of ceiling, the Markdown
// tables and the SVG, from a fixed set of rows (nothing is timed here).
import { describe, expect, it } from 'vitest';
import { pooledRounds } from '../bench/measure.js';
import { addDerived, headline, threadScaling, winogradSpeedup } from '../bench/report/ratios.js';
import { axisScale, renderSvg } from '../bench/report/svg.js';
import { headlineTable, resultsTable, threadsTable, winogradTable } from '../bench/report/table.js';

const ok = (impl: string, kind: string, gflops: number, extra = {}) => ({
  shape: 'S2 mnist-c2', pass: 'forward', impl, kind, status: 'ok', gflops, ms: 462 / gflops, samples: 5, ...extra,
});
const ROWS = [
  ok('relaxed-simd', 'ours', 30),
  ok('simd', 'ours', 20, { bestMs: 20 }),
  ok('tfjs-cpu', 'peer', 1, { samples: 1, note: '1 sample: one call > 20 s' }),
  ok('tfjs-wasm', 'peer', 24),
  { shape: 'S2 mnist-c2', pass: 'dW+db', impl: 'tfjs-wasm', kind: 'peer', status: 'unsupported', reason: 'not supported: tfjs-wasm registers no Conv2DBackpropFilter kernel' },
  { ...ok('simd', 'ours', 10), pass: 'dW+db' },
];
const CEILINGS = { 'mul+add': 40, relaxed_madd: 60 };

describe('bench report', () => {
  const rows: Array<Record<string, unknown>> = addDerived(ROWS, CEILINGS);

  it('rates every row against the fastest peer on its shape and pass', () => {
    expect(rows.map((r) => r.vsBestPeer)).toEqual([1.25, 20 / 24, 1 / 24, 1, undefined, undefined]);
    expect(rows[0].bestPeer).toBe('tfjs-wasm');
  });

  it('holds relaxed-simd rows against the fused ceiling and the rest against mul+add', () => {
    expect(rows[0].pctCeiling).toBeCloseTo(50);
    expect(rows[1].pctCeiling).toBeCloseTo(50);
    expect(rows[4].pctCeiling).toBeUndefined();
  });

  it('sums up ours against the best peer per shape and pass', () => {
    expect(headline(rows)).toEqual([
      { shape: 'S2 mnist-c2', pass: 'forward', ours: 'relaxed-simd', oursGflops: 30, peer: 'tfjs-wasm', peerGflops: 24, speedup: 1.25 },
      { shape: 'S2 mnist-c2', pass: 'dW+db', ours: 'simd', oursGflops: 10, peer: null, peerGflops: null, speedup: null },
    ]);
  });

  it('prints one aligned Markdown row per result, with the reason where nothing was timed', () => {
    const lines = resultsTable(rows).split('\n');
    expect(lines).toHaveLength(2 + ROWS.length);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/\| shape +\| pass +\| implementation +\| median ms \|/);
    expect(lines[2]).toMatch(/relaxed-simd .*\| +30\.00 \| +50% \| +1\.25× \|/);
    expect(lines[4]).toContain('1 sample: one call > 20 s');
    expect(lines[6]).toMatch(/\| +— \|.*not supported: tfjs-wasm registers no Conv2DBackpropFilter kernel/);
    expect(headlineTable(headline(rows))).toContain('| none ran ');
  });

  it('draws a bar per timed row, a cross per untimed one, a legend and the caption', () => {
    const svg = renderSvg({
      rows, ceilings: CEILINGS, date: '2026-01-01T00:00:00Z', quick: true,
      machine: { cpu: 'Test <CPU>', cores: 2, platform: 'linux x64', node: 'v20.0.0', v8: '11' },
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(5);
    expect(svg.match(/>×<\/text>/g)).toHaveLength(1);
    for (const impl of ['relaxed-simd', 'simd', 'tfjs-cpu', 'tfjs-wasm']) expect(svg).toContain(`>${impl}</text>`);
    expect(svg).toContain('Test &lt;CPU&gt; (2 logical cores)');
    expect(svg).toContain('>1.0*</text>'); // the one-sample bar is starred
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('picks round axis tops', () => {
    expect(axisScale(62.7)).toEqual({ max: 80, step: 20 });
    expect(axisScale(9)).toEqual({ max: 10, step: 2 });
    expect(axisScale(0.3)).toEqual({ max: 0.3, step: 0.1 });
  });

  it('leaves multi-thread rows out of the headline and sets them against one thread of the same ISA', () => {
    const withThreads = addDerived([
      ...ROWS.map((r) => ({ ...r, threads: 1 })),
      ok('simd ×2', 'ours', 36, { threads: 2, bestMs: 10 }),
      { shape: 'S2 mnist-c2', pass: 'dW+db', impl: 'simd ×2', kind: 'ours', threads: 2, status: 'unsupported', reason: 'not available: one core' },
    ], CEILINGS);
    expect(headline(withThreads)[0]).toMatchObject({ ours: 'relaxed-simd', oursGflops: 30 });
    const scaling = threadScaling(withThreads);
    expect(scaling).toEqual([
      { shape: 'S2 mnist-c2', pass: 'forward', isa: 'simd', threads: 2, oneGflops: 20, manyGflops: 36, speedup: 1.8, bestSpeedup: 2 },
      { shape: 'S2 mnist-c2', pass: 'dW+db', isa: 'simd', threads: 2, oneGflops: 10, manyGflops: null, speedup: null, bestSpeedup: null },
    ]);
    expect(threadsTable(scaling).split('\n')).toEqual([
      '| shape       | pass    | ISA  | 1 thread GFLOP/s | 2 threads GFLOP/s | speedup | speedup, fastest samples |',
      '|-------------|---------|------|-----------------:|------------------:|--------:|-------------------------:|',
      '| S2 mnist-c2 | forward | simd |            20.00 |             36.00 |   1.80× |                    2.00× |',
      '| S2 mnist-c2 | dW+db   | simd |            10.00 |                 — |       — |                        — |',
    ]);
  });
});

describe('Winograd against the GEMM path', () => {
  it("sets each ISA's -winograd row against its -gemm row, median and fastest samples", () => {
    const row = (impl: string, ms: number, bestMs: number, status = 'ok') =>
      ({ shape: 'S3 cifar', pass: 'forward', impl, kind: 'ours', threads: 1, status, ms, bestMs, gflops: 100 / ms });
    const lines = winogradSpeedup([
      row('simd-gemm', 10, 8), row('simd-winograd', 4, 4), row('simd', 4, 4),
      row('relaxed-simd-winograd', 3, 3), // no gemm row to compare with: left out
      { ...row('scalar-winograd', 1, 1), status: 'unsupported' },
    ]);
    expect(lines).toEqual([{ shape: 'S3 cifar', pass: 'forward', isa: 'simd', gemmGflops: 10, winogradGflops: 25, speedup: 2.5, bestSpeedup: 2 }]);
    expect(winogradTable(lines).split('\n')).toEqual([
      '| shape    | pass    | ISA  | GEMM GFLOP/s | Winograd GFLOP/s (effective) | Winograd ÷ GEMM | Winograd ÷ GEMM, fastest samples |',
      '|----------|---------|------|-------------:|-----------------------------:|----------------:|---------------------------------:|',
      '| S3 cifar | forward | simd |        10.00 |                        25.00 |           2.50× |                            2.00× |',
    ]);
  });
});

describe('rounds of a case, pooled', () => {
  const round = (sampleMs: number[], relErr: number) => ({ status: 'ok', ms: 0, bestMs: 0, samples: sampleMs.length, sampleMs, relErr });
  it('takes the median and the fastest over every round\'s samples, and the worst check', () => {
    const m = pooledRounds([round([5, 1, 9], 1e-7), round([4, 2], 3e-7), round([8], 2e-7)]);
    expect(m).toMatchObject({ status: 'ok', ms: 4.5, bestMs: 1, samples: 6, relErr: 3e-7 });
    expect(pooledRounds([round([3, 1, 2], 0)])).toMatchObject({ ms: 0, samples: 3 }); // one round: as measured
    const skipped = { status: 'skipped', reason: 'skipped: too slow' };
    expect(pooledRounds([skipped])).toBe(skipped);
  });
});
