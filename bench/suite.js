// Runs every selected implementation on every selected shape and pass, in one process, and
// returns the rows. Shared by the main run and the relaxed-SIMD child.
import { expectedOutputs } from './ours.js';
import { measureCase } from './measure.js';
import { randomTensor } from './random-tensor.js';
import { dyShape, flopsPerPass } from './shapes.js';

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
  for (const shape of shapes) {
    // Seeded data, identical in every process.
    const data = { x: randomTensor(shape.x, 1), w: randomTensor(shape.w, 2), dy: randomTensor(dyShape(shape), 3) };
    const expected = await expectedOutputs(checkIsa, shape, data);
    const flops = flopsPerPass(shape);
    for (const impl of impls) {
      const prepared = await impl.prepare(shape, data);
      const shared = new Map(); // a case serving two passes (the reference's joint backward) is timed once
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
          const rowFlops = flops * (c.covers?.length ?? 1);
          rows.push({
            shape: shape.id, pass: pass.label, passId: pass.id, impl: impl.name, kind: impl.kind, threads: impl.threads ?? 1, flops: rowFlops, ...m,
            ...(m.status === 'ok' ? { gflops: rowFlops / m.ms / 1e6 } : {}),
          });
          progress?.(m.status === 'ok' ? `    ${m.ms.toFixed(2)} ms (${m.samples} sample${m.samples === 1 ? '' : 's'})` : `    ${m.reason}`);
        }
      } finally {
        await prepared.dispose();
      }
    }
  }
  return rows;
}

