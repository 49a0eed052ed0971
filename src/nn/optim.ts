// Optimisers: update resident parameters in place from their resident gradients, with their
// state (velocity; Adam's moments) resident too. One kernel call per parameter tensor.
import type { Backend } from '../runtime.js';
import type { ResidentBlock } from '../resident.js';
import type { Parameter } from './resident.js';

export interface Optimizer {
  /** learning rate; may be changed between steps (schedules) */
  lr: number;
  /** Applies one update from the parameters' current gradients. */
  step(): void;
  /** Frees the optimiser's state. */
  dispose(): void;
}

function checkParameters(op: string, params: Parameter[]): void {
  if (!Array.isArray(params) || params.length === 0) {
    throw new Error(`${op}: params must be a non-empty array of Parameters (model.parameters())`);
  }
}

function nonNegative(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${op}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  return v;
}

/** Zeroed resident state blocks, one per parameter. */
function zeroedState(backend: Backend, op: string, params: Parameter[]): ResidentBlock[] {
  return params.map((p) => {
    const block = backend.arena.resident.alloc(op, p.size * 4);
    backend.kernels.f32_zero(block.ptr, p.size);
    return block;
  });
}

export interface SGDOptions {
  lr: number;
  /** default 0 (plain SGD) */
  momentum?: number;
  /** L2 penalty added to the gradient, default 0 */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0), default false */
  nesterov?: boolean;
}

/**
 * SGD with momentum and weight decay, as PyTorch's: v ← μv + (g + λw); w ← w − lr·v, or with
 * Nesterov momentum w ← w − lr·((g + λw) + μv).
 */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocity: ResidentBlock[];

  private readonly backend: Backend;

  constructor(private readonly params: Parameter[], opts: SGDOptions) {
    const op = 'nn.SGD';
    checkParameters(op, params);
    const backend = (this.backend = params[0].backend);
    if (opts === null || typeof opts !== 'object') throw new Error(`${op}: opts must be { lr, momentum?, weightDecay?, nesterov? }`);
    this.lr = nonNegative(op, 'lr', opts.lr);
    this.momentum = nonNegative(op, 'momentum', opts.momentum ?? 0);
    this.weightDecay = nonNegative(op, 'weightDecay', opts.weightDecay ?? 0);
    if (opts.nesterov !== undefined && typeof opts.nesterov !== 'boolean') throw new Error(`${op}: nesterov must be true or false, got ${String(opts.nesterov)}`);
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new Error(`${op}: nesterov needs momentum > 0 (as PyTorch's SGD), got momentum 0`);
    this.velocity = zeroedState(backend, op, params);
  }

  step(): void {
    const k = this.backend.kernels;
    const update = this.nesterov ? k.f32_sgd_nesterov : k.f32_sgd_momentum;
    this.params.forEach((p, i) => {
      update(p.ptr, p.gradPtr, this.velocity[i].ptr, p.size, this.lr, this.momentum, this.weightDecay, 1);
      p.markChanged();
    });
  }

  dispose(): void {
    for (const b of this.velocity.splice(0)) this.backend.arena.resident.release(b);
  }
}

export interface AdamOptions {
  /** default 0.001 */
  lr?: number;
  /** default 0.9 */
  beta1?: number;
  /** default 0.999 */
  beta2?: number;
  /** default 1e-8 */
  eps?: number;
  /** Adam: an L2 penalty added to the gradient (default 0); AdamW: the decoupled decay w ← w·(1 − lr·λ) (default 0.01) */
  weightDecay?: number;
}

/** Adam's and AdamW's shared state and step; they differ in how weight decay enters. */
abstract class AdaptiveMoments implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly m: ResidentBlock[];
  private readonly v: ResidentBlock[];

  private readonly backend: Backend;

  protected constructor(op: string, private readonly params: Parameter[], opts: AdamOptions, defaultWeightDecay: number) {
    checkParameters(op, params);
    const backend = (this.backend = params[0].backend);
    if (opts === null || typeof opts !== 'object') throw new Error(`${op}: opts must be { lr?, beta1?, beta2?, eps?, weightDecay? }`);
    this.lr = nonNegative(op, 'lr', opts.lr ?? 1e-3);
    this.beta1 = nonNegative(op, 'beta1', opts.beta1 ?? 0.9);
    this.beta2 = nonNegative(op, 'beta2', opts.beta2 ?? 0.999);
    this.eps = nonNegative(op, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNegative(op, 'weightDecay', opts.weightDecay ?? defaultWeightDecay);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new Error(`${op}: beta1 and beta2 must be < 1, got ${this.beta1}, ${this.beta2}`);
    this.m = zeroedState(backend, op, params);
    this.v = zeroedState(backend, op, params);
  }

  /** The kernel that applies one update (f32_adam or f32_adamw: same arguments). */
  protected abstract kernel(k: Backend['kernels']): Backend['kernels']['f32_adam'];

  step(): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t, bc2 = 1 - this.beta2 ** this.t;
    const update = this.kernel(this.backend.kernels);
    this.params.forEach((p, i) => {
      update(p.ptr, p.gradPtr, this.m[i].ptr, this.v[i].ptr, p.size, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, 1, bc1, bc2);
      p.markChanged();
    });
  }

  dispose(): void {
    for (const b of [...this.m.splice(0), ...this.v.splice(0)]) this.backend.arena.resident.release(b);
  }
}

/** Adam (Kingma & Ba), as PyTorch's, with bias-corrected moments; weightDecay is an L2 penalty added to the gradient. */
export class Adam extends AdaptiveMoments {
  constructor(params: Parameter[], opts: AdamOptions = {}) {
    super('nn.Adam', params, opts, 0);
  }

  protected kernel(k: Backend['kernels']) {
    return k.f32_adam;
  }
}

/**
 * AdamW (Loshchilov & Hutter), as PyTorch's: weight decay decoupled from the gradient,
 * w ← w·(1 − lr·λ) before the Adam step. weightDecay defaults to 0.01, as PyTorch's.
 */
export class AdamW extends AdaptiveMoments {
  constructor(params: Parameter[], opts: AdamOptions = {}) {
    super('nn.AdamW', params, opts, 0.01);
  }

  protected kernel(k: Backend['kernels']) {
    return k.f32_adamw;
  }
}
