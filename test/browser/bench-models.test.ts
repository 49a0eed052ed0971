// bench:models:browser (bench/models-browser.js) in its quick mode on a small model: MobileNetV2
// (every layer and channel of the real one) on 32×32 images, batch 1, 1 and 2 threads, in
// Debian's Chromium. The JSON it writes has a row per thread count with every implementation
// timed (finite, positive times; the fastest sample no slower than the median), ours (simd and
// relaxed-simd) agreeing with onnxruntime-web's logits within 1e-4·max |y|, the page cross-origin
// isolated (both libraries on 2 threads), and the chart drawn from those rows.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, REPO } from './harness.js';

const OUT = join(ARTIFACTS, 'models-browser.json');
const IMPLS = ['simd', 'relaxed', 'ortWeb'] as const;

interface Timed { describe: string; medianMs: number; fastestMs: number; samples: number; relDiffVsOrtWeb: number; error?: string }
interface Row { environment: string; model: string; size: number; batch: number; threads: number; referenceThreads: number; simd: Timed; relaxed: Timed; ortWeb: Timed;
  ratios: Record<string, { median: number; fastest: number } | null> }

let report: { environment: string; rows: Row[] };
let printed: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { stdout } = await promisify(execFile)(process.execPath, ['bench/models-browser.js', '--quick', '--models', 'MobileNetV2', '--size', '32', '--out', OUT], {
    cwd: REPO, env: { ...process.env, WASMCONV_CHROMIUM: CHROMIUM }, maxBuffer: 1 << 24,
  });
  printed = stdout;
  report = JSON.parse(readFileSync(OUT, 'utf8'));
}, 300_000);

describe('npm run bench:models:browser --quick', () => {
  it('writes a row per thread count, every implementation timed in Chromium', () => {
    console.log(printed.split('\n').filter((line) => line.startsWith('|')).join('\n'));
    expect(report.environment).toMatch(/^Chromium \d+\./);
    expect(report.rows.map((r) => [r.environment, r.model, r.size, r.batch, r.threads])).toEqual([1, 2].map((t) => [report.environment, 'MobileNetV2', 32, 1, t]));
    for (const row of report.rows) {
      for (const impl of IMPLS) {
        const m = row[impl];
        expect(m.error, `${impl} ×${row.threads}`).toBeUndefined();
        expect(m.medianMs, `${impl} ×${row.threads}`).toBeGreaterThan(0);
        expect(Number.isFinite(m.medianMs)).toBe(true);
        expect(m.fastestMs).toBeGreaterThan(0);
        expect(m.fastestMs).toBeLessThanOrEqual(m.medianMs);
        expect(m.samples).toBeGreaterThanOrEqual(2);
      }
      expect(row.simd.describe).toBe('wasmconv simd (nn.fromONNX, eval)');
      expect(row.relaxed.describe).toBe('wasmconv relaxed-simd (nn.fromONNX, eval)');
      expect(row.ortWeb.describe).toMatch(/^onnxruntime-web 1\.\d+\.\d+ \(wasm\)$/);
      for (const key of ['simdVsOrtWeb', 'relaxedVsOrtWeb']) {
        expect(Number.isFinite(row.ratios[key]!.median) && Number.isFinite(row.ratios[key]!.fastest), key).toBe(true);
      }
    }
    expect(report.rows[1].ratios.simdVsOwn1Thread!.median).toBeGreaterThan(0);
  });

  it("gives ours' logits within 1e-4·max |y| of onnxruntime-web's on one thread, on 1 and 2 threads", () => {
    for (const row of report.rows) {
      expect(row.referenceThreads).toBe(1);
      for (const impl of IMPLS) {
        const d = row[impl].relDiffVsOrtWeb;
        expect(Number.isFinite(d), `${impl} ×${row.threads}: ${d}`).toBe(true);
        expect(d, `${impl} ×${row.threads}`).toBeLessThanOrEqual(1e-4);
      }
    }
    expect(printed).not.toMatch(/warning|failed/);
  });

  it('draws the chart: a bar per implementation and row', () => {
    const svg = readFileSync(OUT.replace(/\.json$/, '.svg'), 'utf8');
    expect(svg).toContain('MobileNetV2');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(IMPLS.length * report.rows.length);
    expect(svg).not.toContain('NaN');
  });
});
