/**
 * SGD with momentum and L2 weight decay (PyTorch's SGD, no dampening), over count floats:
 *   g ← g·scale + weightDecay·w;  v ← momentum·v + g;  w ← w − lr·v
 */
export function f32_sgd_momentum__scalar(
  w: usize, g: usize, v: usize, count: i32, lr: f32, momentum: f32, weightDecay: f32, scale: f32,
): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) * scale + weightDecay * wi;
    const vi = momentum * load<f32>(v + o) + gi;
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - lr * vi);
  }
}

/**
 * Adam with L2 weight decay (PyTorch's Adam), over count floats; bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ:
 *   g ← g·scale + weightDecay·w;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   w ← w − lr·(m/bc1) / (√(v/bc2) + ε)
 */
export function f32_adam__scalar(
  w: usize, g: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, scale: f32, bc1: f32, bc2: f32,
): void {
  const stepSize = lr / bc1;
  const invBc2 = <f32>1 / bc2;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) * scale + weightDecay * wi;
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - stepSize * mi / (Mathf.sqrt(vi * invBc2) + eps));
  }
}

/**
 * SGD with Nesterov momentum and L2 weight decay (PyTorch's SGD with nesterov=True, no
 * dampening), over count floats:
 *   g ← g·scale + weightDecay·w;  v ← momentum·v + g;  w ← w − lr·(g + momentum·v)
 */
export function f32_sgd_nesterov__scalar(
  w: usize, g: usize, v: usize, count: i32, lr: f32, momentum: f32, weightDecay: f32, scale: f32,
): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) * scale + weightDecay * wi;
    const vi = momentum * load<f32>(v + o) + gi;
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - lr * (gi + momentum * vi));
  }
}

/**
 * AdamW (Loshchilov & Hutter; PyTorch's AdamW): weight decay decoupled from the gradient,
 * over count floats; bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ:
 *   w ← w·(1 − lr·weightDecay);  g ← g·scale;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   w ← w − lr·(m/bc1) / (√(v/bc2) + ε)
 */
export function f32_adamw__scalar(
  w: usize, g: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, scale: f32, bc1: f32, bc2: f32,
): void {
  const stepSize = lr / bc1;
  const invBc2 = <f32>1 / bc2;
  const decay = <f32>1 - lr * weightDecay;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o) * decay;
    const gi = load<f32>(g + o) * scale;
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, wi - stepSize * mi / (Mathf.sqrt(vi * invBc2) + eps));
  }
}

/** Σ x² over count floats, accumulated in f64 (a gradient's squared norm, for clipping). */
export function f32_sum_squares__scalar(x: usize, count: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < count; i++) {
    const xi = <f64>load<f32>(x + (<usize>i << 2));
    sum += xi * xi;
  }
  return sum;
}

/** x ← x·scale over count floats (gradients scaled down by clipping). */
export function f32_scale__scalar(x: usize, count: i32, scale: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * scale);
  }
}
