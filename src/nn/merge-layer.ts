// What a layer with several inputs implements (Add, later Concat). Only a Graph can hold one: a
// Sequential passes a single tensor from layer to layer. Like Layer, it reads resident inputs,
// writes a resident output it owns, and keeps what backward needs.
import { requireBackend, type Backend } from '../runtime.js';
import { describeSpec, type LayerSpec } from './layer.js';
import type { Random } from './random.js';
import type { Activation, Parameter } from './resident.js';

export abstract class MergeLayer {
  protected readonly backend: Backend;

  /** @param arity how many inputs the layer takes */
  protected constructor(protected readonly op: string, readonly arity: number) {
    this.backend = requireBackend(op);
  }

  /** y for the inputs xs (xs.length === arity; all resident, batch first). */
  abstract forward(xs: readonly Activation[]): Activation;

  /**
   * Given dy = ∂L/∂y of the last forward pass, returns ∂L/∂xs[i] for every i whose
   * `inputGradients[i]` is true (null for the others). A returned gradient may be dy itself.
   */
  abstract backward(dy: Activation, inputGradients: readonly boolean[]): (Activation | null)[];

  abstract spec(): LayerSpec;

  parameters(): Parameter[] {
    return [];
  }

  buffers(): Parameter[] {
    return [];
  }

  setTraining(_training: boolean): void {}

  resetParameters(_random: Random): void {}

  abstract dispose(): void;

  get kernelsBackend(): Backend {
    return this.backend;
  }

  toString(): string {
    return describeSpec(this.spec());
  }
}
