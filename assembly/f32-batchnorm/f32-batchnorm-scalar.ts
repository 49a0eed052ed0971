// Per-channel passes of batch normalisation over x [images][channels][plane], one channel block
// per call: `x` (and dy, y, dx) point at the block's first channel of image 0, consecutive images
// are `imageStride` floats apart, and the per-channel arrays point at the block's first channel.
// Each plane is summed in f32 (the SIMD twin in eight lanes), and the planes add up in f64.

/** sums[c] = Σ over images and plane of x. */
export function f32_channel_sums__scalar(x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, sums: usize): void {
  for (let c = 0; c < channels; c++) {
    let total: f64 = 0;
    for (let n = 0; n < images; n++) {
      const row = x + ((<usize>n * imageStride + <usize>c * plane) << 2);
      let acc: f32 = 0;
      for (let j = 0; j < plane; j++) acc += load<f32>(row + (<usize>j << 2));
      total += acc;
    }
    store<f32>(sums + (<usize>c << 2), <f32>total);
  }
}

/** out[c] = Σ (x − center[c])². */
export function f32_channel_sqdev__scalar(
  x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, out: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    let total: f64 = 0;
    for (let n = 0; n < images; n++) {
      const row = x + ((<usize>n * imageStride + <usize>c * plane) << 2);
      let acc: f32 = 0;
      for (let j = 0; j < plane; j++) {
        const d = load<f32>(row + (<usize>j << 2)) - m;
        acc += d * d;
      }
      total += acc;
    }
    store<f32>(out + (<usize>c << 2), <f32>total);
  }
}

/** sumDy[c] = Σ dy and sumDyXc[c] = Σ dy·(x − center[c]): the sums of BatchNorm's backward pass. */
export function f32_channel_dy_sums__scalar(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, sumDy: usize, sumDyXc: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    let totalDy: f64 = 0, totalDyXc: f64 = 0;
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      let accDy: f32 = 0, accDyXc: f32 = 0;
      for (let j = 0; j < plane; j++) {
        const o = offset + (<usize>j << 2);
        const g = load<f32>(dy + o);
        accDy += g;
        accDyXc += g * (load<f32>(x + o) - m);
      }
      totalDy += accDy;
      totalDyXc += accDyXc;
    }
    store<f32>(sumDy + (<usize>c << 2), <f32>totalDy);
    store<f32>(sumDyXc + (<usize>c << 2), <f32>totalDyXc);
  }
}

/** y = (x − center[c])·scale[c] + shift[c]: BatchNorm's forward pass in either mode; y may be x. */
export function f32_channel_normalize__scalar(
  x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, scale: usize, shift: usize, y: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const s = load<f32>(scale + (<usize>c << 2));
    const t = load<f32>(shift + (<usize>c << 2));
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      for (let j = 0; j < plane; j++) {
        const o = offset + (<usize>j << 2);
        store<f32>(y + o, (load<f32>(x + o) - m) * s + t);
      }
    }
  }
}

/** dx = a[c]·dy + b[c]·(x − center[c]) + k[c]: BatchNorm's input gradient; dx may be dy. */
export function f32_batchnorm_dx__scalar(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32,
  center: usize, a: usize, b: usize, k: usize, dx: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(center + (<usize>c << 2));
    const va = load<f32>(a + (<usize>c << 2));
    const vb = load<f32>(b + (<usize>c << 2));
    const vk = load<f32>(k + (<usize>c << 2));
    for (let n = 0; n < images; n++) {
      const offset = (<usize>n * imageStride + <usize>c * plane) << 2;
      for (let j = 0; j < plane; j++) {
        const o = offset + (<usize>j << 2);
        store<f32>(dx + o, va * load<f32>(dy + o) + vb * (load<f32>(x + o) - m) + vk);
      }
    }
  }
}
