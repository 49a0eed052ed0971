// What a conv layer's passes make from its weights alone (Winograd's U, the GEMM's packed W),
// kept in resident blocks and remade only when the weights change: calls with unchanged
// weights (evaluation, inference) skip the transform.
import type { Pass } from '../ops/passes/index.js';
import type { ResidentBlock } from '../resident.js';
import type { Backend } from '../runtime.js';
import type { Parameter } from './resident.js';

/** A block a pass made from the weights (its WeightsBlock), and the weight version it was made from. */
interface WeightsDerived {
  block: ResidentBlock;
  version: number;
}

export class WeightsBlocks {
  /** by WeightsBlock key */
  private readonly derived = new Map<string, WeightsDerived>();

  constructor(private readonly backend: Backend, private readonly op: string, private readonly weight: Parameter) {}

  /**
   * The block `pass` makes from the weights, made once per weight version and kept; undefined
   * when the pass makes none. It may allocate: call it before laying out the call's scratch.
   */
  for<P extends { w: number }>(pass: Pass<P>, p: P): number | undefined {
    const shared = pass.shared;
    if (!shared) return undefined;
    const version = this.weight.version;
    let kept = this.derived.get(shared.key);
    if (kept && kept.version === version) return kept.block.ptr;
    const allocator = this.backend.arena.resident;
    if (!kept || kept.block.bytes < shared.floats * 4) {
      if (kept) allocator.release(kept.block);
      kept = { block: allocator.alloc(this.op, shared.floats * 4), version };
      this.derived.set(shared.key, kept);
    }
    shared.prepare(this.backend.kernels, p, kept.block.ptr);
    kept.version = version;
    return kept.block.ptr;
  }

  dispose(): void {
    for (const { block } of this.derived.values()) this.backend.arena.resident.release(block);
    this.derived.clear();
  }
}
