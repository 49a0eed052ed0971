// Runs every selected implementation on every selected shape and pass, in one process, and
// returns the rows. Shared by the main run and the relaxed-SIMD child.
import { expectedOutputs } from './ours.js';
import { measureCase, pooledRounds } from './measure.js';
import { randomTensor } from './random-tensor.js';
import { dyShape, flopsPerPass } from './shapes.js';

/**
 * Our implementations (one thread and ×N) time each pass in this many rounds, taking turns,
 * with a share of the budget each; the samples are pooled. This machine's cores are shared,
 * and another job's burst of a second or two, landing on one row's whole budget, moved the
 * thread-scaling ratio by up to 0.3×; taking turns spreads such a burst over both rows.
 */
export const OURS_ROUNDS = 4;

/**
 * @param opts.impls implementations (ours.js, peers/): { name, kind, threads?, init?, prepare }
 * @param opts.checkIsa the ISA whose outputs every implementation is checked against
 * @param opts.progress (message) => void, for stderr
 */
export async function runSuite({ impls, shapes, passes, policy, checkIsa, progress, tag = '' }) {
  const rows = [];
  const total = shapes.length * impls.length * passes.length;
  let done = 0;
  for (const impl of impls) await impl.init?.();
  const ours = impls.filter((impl) => impl.kind === 'ours');
  for (const shape of shapes) {
    // Seeded data, identical in every process.
    const data = { x: randomTensor(shape.x, 1), w: randomTensor(shape.w, 2), dy: randomTensor(dyShape(shape), 3) };
    const expected = await expectedOutputs(checkIsa, shape, data);
    const flops = flopsPerPass(shape);
    const measured = new Map(); // impl → pass id → measurement
    const row = (impl, pass, m, rowFlops) => ({
      shape: shape.id, pass: pass.label, passId: pass.id, impl: impl.name, kind: impl.kind, threads: impl.threads ?? 1, flops: rowFlops,
      ...withoutSamples(m), ...(m.status === 'ok' ? { gflops: rowFlops / m.ms / 1e6 } : {}),
    });
    const report = (m) => progress?.(m.status === 'ok' ? `    ${m.ms.toFixed(2)} ms (${m.samples} sample${m.samples === 1 ? '' : 's'})` : `    ${m.reason}`);

    // ours: pass by pass, every implementation in turn, OURS_ROUNDS times
    const roundPolicy = { ...policy, budgetMs: policy.budgetMs / OURS_ROUNDS, minSamples: Math.ceil(policy.minSamples / OURS_ROUNDS) };
    for (const pass of passes) {
      const rounds = new Map(ours.map((impl) => [impl, []]));
      for (let round = 0; round < OURS_ROUNDS; round++) {
        for (const impl of ours) {
          const earlier = rounds.get(impl);
          // a skipped case, or one so slow that one call is its only sample, is not run again
          if (round > 0 && (earlier[0].status !== 'ok' || earlier[0].samples === 1)) continue;
          const label = `${shape.id} · ${pass.label} · ${impl.name}`;
          if (round === 0) progress?.(`${tag}[${++done}/${total}] ${label} (${OURS_ROUNDS} rounds, taking turns)`);
          const prepared = await impl.prepare(shape, data);
          try {
            earlier.push(await measureCase(prepared.cases[pass.id], expected[pass.id], roundPolicy, label));
          } finally {
            await prepared.dispose();
          }
        }
      }
      for (const impl of ours) {
        const m = pooledRounds(rounds.get(impl));
        report(m);
        (measured.get(impl) ?? measured.set(impl, new Map()).get(impl)).set(pass.id, row(impl, pass, m, flops));
      }
    }

    // the others: one implementation at a time
    for (const impl of impls.filter((i) => i.kind !== 'ours')) {
      const prepared = await impl.prepare(shape, data);
      const shared = new Map(); // a case serving two passes (the reference's joint backward) is timed once
      const byPass = new Map();
      measured.set(impl, byPass);
      try {
        for (const pass of passes) {
          const label = `${shape.id} · ${pass.label} · ${impl.name}`;
          progress?.(`${tag}[${++done}/${total}] ${label}`);
          const c = prepared.cases[pass.id];
          let m = shared.get(c);
          if (!m) {
            // a joint case is checked on, and credited with the FLOPs of, every pass it covers
            const want = Object.assign({}, ...(c.covers ?? [pass.id]).map((p) => expected[p]));
            m = await measureCase(c, want, policy, label);
            shared.set(c, m);
          }
          byPass.set(pass.id, row(impl, pass, m, flops * (c.covers?.length ?? 1)));
          report(m);
        }
      } finally {
        await prepared.dispose();
      }
    }
    // in the order of the implementations, then the passes
    for (const impl of impls) for (const pass of passes) rows.push(measured.get(impl).get(pass.id));
  }
  return rows;
}

function withoutSamples({ sampleMs, ...m }) {
  return m;
}
