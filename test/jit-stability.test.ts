// The thread pool's hot JavaScript must stay compiled once warm. V8 compiles a hot loop on its
// own and reuses that code; a loop followed, in the same function, by a path it never took
// (the sleep after a spin) threw that code out each time the path ran, about three times a
// training step (see spinUntil in src/threads/pool.ts). Run with --trace-deopt, a warm LeNet
// training loop on 2 threads must not deoptimize any function over and over.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = new URL('./helpers/train-steps.mjs', import.meta.url).pathname;
/** After warm-up, V8 may still deoptimize a function once or twice (new type feedback): not every step. */
const MAX_DEOPTS_PER_FUNCTION = 3;

describe('JIT stability of the thread pool', () => {
  it('30 warm training steps on 2 threads deoptimize no function more than a few times', () => {
    const r = spawnSync(process.execPath, ['--trace-deopt', SCRIPT], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const measured = r.stdout.split('--- measured')[1];
    expect(measured, 'the script prints a marker after its warm-up epoch').toBeDefined();
    const counts = new Map<string, number>();
    for (const m of measured.matchAll(/deoptimizing 0x[0-9a-f]+ <JSFunction (\S*)/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > MAX_DEOPTS_PER_FUNCTION);
    expect(repeated, `functions deoptimized repeatedly: ${repeated.map(([f, n]) => `${f || '(anonymous)'} ×${n}`).join(', ')}`).toEqual([]);
  }, 60_000);
});
