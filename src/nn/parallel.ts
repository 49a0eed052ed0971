// Element-wise and per-plane layer kernels (ReLU, max pooling) split across the backend's
// threads: [0, total) cut into contiguous ranges, a few per thread, taken as threads come free.
// Each range is independent, so the result is the same on any number of threads.
import type { KernelExports } from '../loader.js';
import { CHUNKS_PER_THREAD, evenSlices } from '../ops/passes/parallel.js';
import type { Backend } from '../runtime.js';

/**
 * Runs part(kernels, start, count) over [0, total): on the pool's threads when it has one and
 * `total` reaches `minTotal` (below that, handing out the chunks costs more than it saves),
 * otherwise as one part on this thread.
 */
export function splitRange(
  backend: Backend, op: string, total: number, minTotal: number,
  part: (kernels: KernelExports, start: number, count: number) => void,
): void {
  const { pool, arena, kernels } = backend;
  const threads = pool?.serving && total >= minTotal ? Math.min(pool.threads, total) : 1;
  if (threads === 1) {
    part(kernels, 0, total);
    return;
  }
  const chunks = evenSlices(0, total, Math.min(total, CHUNKS_PER_THREAD * threads)).map(({ start, count }) => (k: KernelExports) => part(k, start, count));
  pool!.run(op, chunks, (bytes) => arena.after(op, bytes), {}, threads);
}
