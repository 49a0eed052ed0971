// How one case (implementation × shape × pass) is timed. Every case is first called once and
// its outputs checked; that call also tells how long one call takes, which picks the plan:
//   a call projected (documented estimate) over skipMs  → not called at all, the reason printed;
//   the checked call itself over oneSampleMs           → that call is the only sample ("1 sample");
//   otherwise                                           → tinybench: budgetMs, at least minSamples.
import { Bench } from 'tinybench';
import { verifyOutputs } from './verify.js';

export const POLICIES = {
  full: { budgetMs: 1000, minSamples: 3, oneSampleMs: 20_000, skipMs: 60_000 },
  quick: { budgetMs: 150, minSamples: 2, oneSampleMs: 1_000, skipMs: 3_000 },
};

const seconds = (ms) => `${(ms / 1e3).toFixed(ms < 10e3 ? 1 : 0)} s`;

/**
 * @param c a case from an implementation's prepare(): { run, read, note?, estimate? } or { status, reason }
 * @param expected our outputs for this pass, e.g. { y } or { dw, db }
 * @returns { status: 'ok', ms (median), bestMs (fastest sample), samples, sampleMs (every sample's time), note?, relErr }
 *          or { status: 'skipped'|'unsupported', reason }
 */
export async function measureCase(c, expected, policy, label) {
  if (c.status) return { status: c.status, reason: c.reason };
  if (c.estimate && c.estimate.ms > policy.skipMs) {
    return {
      status: 'skipped',
      reason: `skipped: one call projected ≈ ${seconds(c.estimate.ms)} > ${seconds(policy.skipMs)} (${c.estimate.basis})`,
    };
  }
  const t0 = performance.now();
  const out = await c.run();
  const firstMs = performance.now() - t0;
  const relErr = verifyOutputs(label, c.read(out), expected);
  const notes = c.note ? [c.note] : [];
  if (firstMs > policy.oneSampleMs) {
    return {
      status: 'ok', ms: firstMs, bestMs: firstMs, samples: 1, sampleMs: [firstMs],
      note: [...notes, `1 sample: one call > ${seconds(policy.oneSampleMs)}`].join('; '), relErr,
    };
  }
  // The checked call warmed the code up; slow calls need no more warm-up than that.
  const bench = new Bench({
    time: policy.budgetMs,
    iterations: policy.minSamples,
    warmup: firstMs < policy.budgetMs,
    warmupTime: policy.budgetMs / 4,
    warmupIterations: 1,
    retainSamples: true,
  });
  bench.add(label, c.run);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`${label}: ${result.state} ${result.error?.stack ?? result.error ?? ''}`);
  return {
    status: 'ok', ms: result.latency.p50, bestMs: result.latency.min, samples: result.latency.samplesCount,
    sampleMs: [...result.latency.samples], note: notes.join('; ') || undefined, relErr,
  };
}

/**
 * One measurement from the rounds of a case (measureCase each): the samples pooled, the median
 * and the fastest over all of them, the first round's check.
 */
export function pooledRounds(rounds) {
  const [first] = rounds;
  if (first.status !== 'ok' || rounds.length === 1) return first;
  const sampleMs = rounds.flatMap((m) => m.sampleMs).sort((a, b) => a - b);
  const middle = sampleMs.length / 2;
  const ms = sampleMs.length % 2 ? sampleMs[Math.floor(middle)] : (sampleMs[middle - 1] + sampleMs[middle]) / 2;
  return { ...first, ms, bestMs: sampleMs[0], samples: sampleMs.length, sampleMs, relErr: Math.max(...rounds.map((m) => m.relErr)) };
}
