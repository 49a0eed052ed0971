/**
 * Softmax cross-entropy over rows×classes logits with i32 labels: returns Σ_rows
 * (logsumexp(z) − z[label]) in f64, and writes dz = (softmax(z) − onehot(label))·scale
 * (scale = 1/rows for the mean loss). dz may be the logits.
 */
export function f32_softmax_xent(logits: usize, labels: usize, rows: i32, classes: i32, dz: usize, scale: f32): f64 {
  let loss: f64 = 0;
  const rowBytes = <usize>classes << 2;
  let z = logits;
  let d = dz;
  for (let r = 0; r < rows; r++) {
    let zmax = load<f32>(z);
    for (let j = 1; j < classes; j++) zmax = max<f32>(zmax, load<f32>(z + (<usize>j << 2)));
    let sum: f64 = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(<f64>(load<f32>(z + (<usize>j << 2)) - zmax));
    const label = load<i32>(labels + (<usize>r << 2));
    loss += Math.log(sum) - <f64>(load<f32>(z + (<usize>label << 2)) - zmax);
    const inv = 1.0 / sum;
    for (let j = 0; j < classes; j++) {
      const o = <usize>j << 2;
      let p = Math.exp(<f64>(load<f32>(z + o) - zmax)) * inv;
      if (j == label) p -= 1;
      store<f32>(d + o, <f32>p * scale);
    }
    z += rowBytes;
    d += rowBytes;
  }
  return loss;
}
