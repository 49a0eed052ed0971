// SIMD twins of f32-batchnorm-scalar.ts (same arguments): four floats per step, eight lanes of
// partial sums for the reductions; a plane's last plane % 4 (or % 8) floats run scalar. Planes
// need not be 16-byte aligned (7×7 planes are not): Wasm's v128 loads take any address.
import { vmadd } from "../simd-madd";

/** Σ of one plane in eight f32 lanes, then the rest. */
@inline
function planeSum(row: usize, plane: i32): f32 {
  let v0 = f32x4.splat(0), v1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= plane; j += 8) {
    v0 = f32x4.add(v0, v128.load(row + (<usize>j << 2)));
    v1 = f32x4.add(v1, v128.load(row + (<usize>j << 2), 16));
  }
  const v = f32x4.add(v0, v1);
  let acc = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (; j < plane; j++) acc += load<f32>(row + (<usize>j << 2));
  return acc;
}

export function f32_channel_sums__wasmsimd(x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, sums: usize): void {
  for (let c = 0; c < channels; c++) {
    let total: f64 = 0;
    for (let n = 0; n < images; n++) total += planeSum(x + ((<usize>n * imageStride + <usize>c * plane) << 2), plane);
    store<f32>(sums + (<usize>c << 2), <f32>total);
  }
}

export function f32_channel_sqdev__wasmsimd(
  x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, out: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const vm = f32x4.splat(m);
    let total: f64 = 0;
    for (let n = 0; n < images; n++) {
      const row = x + ((<usize>n * imageStride + <usize>c * plane) << 2);
      let v0 = f32x4.splat(0), v1 = f32x4.splat(0);
      let j = 0;
      for (; j + 8 <= plane; j += 8) {
        const d0 = f32x4.sub(v128.load(row + (<usize>j << 2)), vm);
        const d1 = f32x4.sub(v128.load(row + (<usize>j << 2), 16), vm);
        v0 = vmadd(d0, d0, v0);
        v1 = vmadd(d1, d1, v1);
      }
      const v = f32x4.add(v0, v1);
      let acc = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
      for (; j < plane; j++) {
        const d = load<f32>(row + (<usize>j << 2)) - m;
        acc += d * d;
      }
      total += acc;
    }
    store<f32>(out + (<usize>c << 2), <f32>total);
  }
}

export function f32_channel_dy_sums__wasmsimd(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, sumDy: usize, sumDyXc: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const vm = f32x4.splat(m);
    let totalDy: f64 = 0, totalDyXc: f64 = 0;
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      const gr = dy + offset, xr = x + offset;
      let vg0 = f32x4.splat(0), vg1 = f32x4.splat(0), vp0 = f32x4.splat(0), vp1 = f32x4.splat(0);
      let j = 0;
      for (; j + 8 <= plane; j += 8) {
        const o = <usize>j << 2;
        const g0 = v128.load(gr + o), g1 = v128.load(gr + o, 16);
        vg0 = f32x4.add(vg0, g0);
        vg1 = f32x4.add(vg1, g1);
        vp0 = vmadd(g0, f32x4.sub(v128.load(xr + o), vm), vp0);
        vp1 = vmadd(g1, f32x4.sub(v128.load(xr + o, 16), vm), vp1);
      }
      const vg = f32x4.add(vg0, vg1), vp = f32x4.add(vp0, vp1);
      let accDy = f32x4.extract_lane(vg, 0) + f32x4.extract_lane(vg, 1) + f32x4.extract_lane(vg, 2) + f32x4.extract_lane(vg, 3);
      let accDyXc = f32x4.extract_lane(vp, 0) + f32x4.extract_lane(vp, 1) + f32x4.extract_lane(vp, 2) + f32x4.extract_lane(vp, 3);
      for (; j < plane; j++) {
        const o = <usize>j << 2;
        const g = load<f32>(gr + o);
        accDy += g;
        accDyXc += g * (load<f32>(xr + o) - m);
      }
      totalDy += accDy;
      totalDyXc += accDyXc;
    }
    store<f32>(sumDy + (<usize>c << 2), <f32>totalDy);
    store<f32>(sumDyXc + (<usize>c << 2), <f32>totalDyXc);
  }
}

export function f32_channel_normalize__wasmsimd(
  x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, scale: usize, shift: usize, y: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const s = load<f32>(scale + (<usize>c << 2));
    const t = load<f32>(shift + (<usize>c << 2));
    const vm = f32x4.splat(m), vs = f32x4.splat(s), vt = f32x4.splat(t);
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      const xr = x + offset, yr = y + offset;
      let j = 0;
      for (; j + 4 <= plane; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, vmadd(f32x4.sub(v128.load(xr + o), vm), vs, vt));
      }
      for (; j < plane; j++) {
        const o = <usize>j << 2;
        store<f32>(yr + o, (load<f32>(xr + o) - m) * s + t);
      }
    }
  }
}

export function f32_batchnorm_dx__wasmsimd(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32,
  center: usize, a: usize, b: usize, k: usize, dx: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const va = load<f32>(a + (<usize>c << 2));
    const vb = load<f32>(b + (<usize>c << 2));
    const vk = load<f32>(k + (<usize>c << 2));
    const wm = f32x4.splat(m), wa = f32x4.splat(va), wb = f32x4.splat(vb), wk = f32x4.splat(vk);
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      const gr = dy + offset, xr = x + offset, dr = dx + offset;
      let j = 0;
      for (; j + 4 <= plane; j += 4) {
        const o = <usize>j << 2;
        const centred = f32x4.sub(v128.load(xr + o), wm);
        v128.store(dr + o, vmadd(wa, v128.load(gr + o), vmadd(wb, centred, wk)));
      }
      for (; j < plane; j++) {
        const o = <usize>j << 2;
        store<f32>(dr + o, va * load<f32>(gr + o) + vb * (load<f32>(xr + o) - m) + vk);
      }
    }
  }
}
