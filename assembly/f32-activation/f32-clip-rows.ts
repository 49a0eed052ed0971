/**
 * y[r][j] = min(max(y[r][j], lo), hi) in place for `rows` rows of `cols` floats, `rowBytes`
 * apart: a fused conv epilogue's clamp of a block of output columns the GEMM has just written
 * (src/ops/passes/epilogue.ts). The same max-then-min as f32_clip, SIMD and scalar alike (NaN
 * stays NaN), so the bits match a separate ReLU / ReLU6 / Clip pass.
 */
export function f32_clip_rows(y: usize, rows: i32, cols: i32, rowBytes: usize, lo: f32, hi: f32): void {
  let row = y;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
      for (; j + 4 <= cols; j += 4) {
        const at = row + (<usize>j << 2);
        v128.store(at, f32x4.min(f32x4.max(v128.load(at), vlo), vhi));
      }
    }
    for (; j < cols; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, min<f32>(max<f32>(load<f32>(at), lo), hi));
    }
    row += rowBytes;
  }
}
