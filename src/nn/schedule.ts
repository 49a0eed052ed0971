// Learning-rate schedules: functions from the step index (0-based) to the learning rate, to be
// assigned to an optimiser's lr before each step (`opt.lr = schedule(step)`).

export type LrSchedule = (step: number) => number;

function check(op: string, name: string, value: unknown, { integer = false, min = 0, strict = false } = {}): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (strict ? value > min : value >= min) && (!integer || Number.isInteger(value));
  if (!ok) throw new Error(`${op}: ${name} must be ${integer ? 'an integer' : 'a finite number'} ${strict ? '>' : '≥'} ${min}, got ${String(value)}`);
  return value as number;
}

function checkStep(op: string, step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new Error(`${op}: step must be an integer ≥ 0, got ${String(step)}`);
}

export interface CosineScheduleOptions {
  /** the peak learning rate, reached at the end of the warm-up */
  lr: number;
  /** steps in all (warm-up included); later steps get minLr */
  totalSteps: number;
  /** linear warm-up steps from lr/warmupSteps to lr, default 0 */
  warmupSteps?: number;
  /** the learning rate at the end, default 0 */
  minLr?: number;
}

/**
 * Linear warm-up, then cosine decay (SGDR without restarts; PyTorch's CosineAnnealingLR after a
 * LinearLR warm-up): step s < W gives lr·(s+1)/W; then minLr + (lr − minLr)·(1 + cos(π·(s−W)/(T−W)))/2.
 */
export function cosineSchedule(opts: CosineScheduleOptions): LrSchedule {
  const op = 'nn.cosineSchedule';
  const lr = check(op, 'lr', opts?.lr);
  const total = check(op, 'totalSteps', opts.totalSteps, { integer: true, min: 0, strict: true });
  const warmup = check(op, 'warmupSteps', opts.warmupSteps ?? 0, { integer: true });
  const minLr = check(op, 'minLr', opts.minLr ?? 0);
  if (warmup >= total) throw new Error(`${op}: warmupSteps (${warmup}) must be less than totalSteps (${total})`);
  if (minLr > lr) throw new Error(`${op}: minLr (${minLr}) must not exceed lr (${lr})`);
  return (step) => {
    checkStep(op, step);
    if (step < warmup) return (lr * (step + 1)) / warmup;
    if (step >= total) return minLr;
    return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * (step - warmup)) / (total - warmup)))) / 2;
  };
}

export interface StepScheduleOptions {
  lr: number;
  /** steps between decays */
  stepSize: number;
  /** factor per decay, default 0.1 */
  gamma?: number;
}

/** Step decay (PyTorch's StepLR): lr·gamma^⌊step / stepSize⌋. */
export function stepSchedule(opts: StepScheduleOptions): LrSchedule {
  const op = 'nn.stepSchedule';
  const lr = check(op, 'lr', opts?.lr);
  const stepSize = check(op, 'stepSize', opts.stepSize, { integer: true, min: 0, strict: true });
  const gamma = check(op, 'gamma', opts.gamma ?? 0.1);
  return (step) => {
    checkStep(op, step);
    return lr * gamma ** Math.floor(step / stepSize);
  };
}
