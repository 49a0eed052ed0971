/**
 * Softmax cross-entropy over rows×classes logits with i32 labels and label smoothing ε (the
 * target is (1 − ε)·onehot(label) + ε/classes): returns Σ_rows Σ_j target_j·(logsumexp(z) − z_j)
 * in f64, and writes dz = (softmax(z) − target)·scale (scale = 1/rows for the mean loss).
 * dz may be the logits.
 */
export function f32_softmax_xent(logits: usize, labels: usize, rows: i32, classes: i32, dz: usize, scale: f32, smoothing: f32): f64 {
  let loss: f64 = 0;
  const rowBytes = <usize>classes << 2;
  const spread = <f64>smoothing / <f64>classes;
  const onLabel = 1 - <f64>smoothing;
  let z = logits;
  let d = dz;
  for (let r = 0; r < rows; r++) {
    let zmax = load<f32>(z);
    for (let j = 1; j < classes; j++) zmax = max<f32>(zmax, load<f32>(z + (<usize>j << 2)));
    let sum: f64 = 0;
    let shiftedSum: f64 = 0;
    for (let j = 0; j < classes; j++) {
      const shifted = <f64>(load<f32>(z + (<usize>j << 2)) - zmax);
      sum += Math.exp(shifted);
      shiftedSum += shifted;
    }
    const label = load<i32>(labels + (<usize>r << 2));
    const logSum = Math.log(sum);
    // Σ_j target_j·(logSum − shifted_j), with Σ target = 1
    loss += logSum - onLabel * <f64>(load<f32>(z + (<usize>label << 2)) - zmax) - spread * shiftedSum;
    const inv = 1.0 / sum;
    for (let j = 0; j < classes; j++) {
      const o = <usize>j << 2;
      let p = Math.exp(<f64>(load<f32>(z + o) - zmax)) * inv - spread;
      if (j == label) p -= onLabel;
      store<f32>(d + o, <f32>p * scale);
    }
    z += rowBytes;
    d += rowBytes;
  }
  return loss;
}
