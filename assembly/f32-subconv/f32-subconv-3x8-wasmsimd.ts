import { vmadd } from "../simd-madd";

/**
 * One tile of one column phase: acc[i][j] = Σ_taps Σ_o A[k][i] · dy[tap + o·dyPlaneBytes + 4j]
 * for rows i < 3 (input channels) and 8 columns j, k = t·outChannels + o running through packed
 * A (16 bytes per k, f32_pack_a_x4's layout). `dy` is the tile's corner in padded dY; `taps`
 * lists each tap's byte offset from it. 6 accumulators, 2 dY vectors and 3 splats: 3×16 tiles
 * (12 accumulators) spilled in V8 and ran 1.5× slower. Then either the tile goes to `stage`
 * (3 rows of 32 bytes), or, with `interleave`, it is zipped with the staged tile of the other
 * phase (phase 0 in the even columns) and 16 dX columns are stored per channel row.
 */
@inline
export function f32_subconv_tile_3x8__wasmsimd(
  taps: usize, tapCount: i32, a: usize, outChannels: i32, dyPlaneBytes: usize, dy: usize,
  stage: usize, interleave: bool, dx: usize, dxPlaneBytes: usize, channels: i32,
): void {
  let acc00 = f32x4.splat(0), acc01 = f32x4.splat(0);
  let acc10 = f32x4.splat(0), acc11 = f32x4.splat(0);
  let acc20 = f32x4.splat(0), acc21 = f32x4.splat(0);
  let pa = a;
  const tapsEnd = taps + (<usize>tapCount << 2);
  for (let t = taps; t < tapsEnd; t += 4) {
    let pb = dy + <usize>load<i32>(t);
    const paEnd = pa + (<usize>outChannels << 4);
    while (pa < paEnd) {
      const va0 = v128.load32_splat(pa);
      const va1 = v128.load32_splat(pa, 4);
      const va2 = v128.load32_splat(pa, 8);
      let vb = v128.load(pb);
      acc00 = vmadd(va0, vb, acc00); acc10 = vmadd(va1, vb, acc10); acc20 = vmadd(va2, vb, acc20);
      vb = v128.load(pb, 16);
      acc01 = vmadd(va0, vb, acc01); acc11 = vmadd(va1, vb, acc11); acc21 = vmadd(va2, vb, acc21);
      pa += 16;
      pb += dyPlaneBytes;
    }
  }
  if (!interleave) {
    v128.store(stage, acc00); v128.store(stage, acc01, 16);
    v128.store(stage, acc10, 32); v128.store(stage, acc11, 48);
    v128.store(stage, acc20, 64); v128.store(stage, acc21, 80);
    return;
  }
  storeRowInterleaved(stage, acc00, acc01, dx);
  if (channels > 1) storeRowInterleaved(stage + 32, acc10, acc11, dx + dxPlaneBytes);
  if (channels > 2) storeRowInterleaved(stage + 64, acc20, acc21, dx + (dxPlaneBytes << 1));
}

/** 16 dX columns: the staged phase-0 row in the even ones, odd0 and odd1 in the odd ones. */
@inline
function storeRowInterleaved(even: usize, odd0: v128, odd1: v128, dx: usize): void {
  let e = v128.load(even);
  v128.store(dx, v128.shuffle<f32>(e, odd0, 0, 4, 1, 5));
  v128.store(dx, v128.shuffle<f32>(e, odd0, 2, 6, 3, 7), 16);
  e = v128.load(even, 16);
  v128.store(dx, v128.shuffle<f32>(e, odd1, 0, 4, 1, 5), 32);
  v128.store(dx, v128.shuffle<f32>(e, odd1, 2, 6, 3, 7), 48);
}
