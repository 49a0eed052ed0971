// Transposes at the boundary between tfjs's layouts (NHWC activations, HWIO filters) and
// wasmconv's (NCHW, OIHW). Each is one pass over the data into a new array, or into `out` when
// given (its first data.length elements); inputs are not modified.

/** [N, H, W, C] → [N, C, H, W] */
export function nhwcToNchw(data: Float32Array, [n, h, w, c]: readonly number[], out: Float32Array = new Float32Array(data.length)): Float32Array {
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const from = b * plane * c;
    for (let p = 0; p < plane; p++) {
      const src = from + p * c;
      let dst = from + p;
      for (let ch = 0; ch < c; ch++, dst += plane) out[dst] = data[src + ch];
    }
  }
  return out;
}

/** [N, C, H, W] → [N, H, W, C] */
export function nchwToNhwc(data: Float32Array, [n, c, h, w]: readonly number[], out: Float32Array = new Float32Array(data.length)): Float32Array {
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const from = b * plane * c;
    for (let p = 0; p < plane; p++) {
      let src = from + p;
      const dst = from + p * c;
      for (let ch = 0; ch < c; ch++, src += plane) out[dst + ch] = data[src];
    }
  }
  return out;
}

/** HWIO [KH, KW, I, O] → OIHW [O, I, KH, KW] */
export function hwioToOihw(data: Float32Array, [kh, kw, i, o]: readonly number[], out: Float32Array = new Float32Array(data.length)): Float32Array {
  const taps = kh * kw;
  for (let t = 0; t < taps; t++) {
    for (let ci = 0; ci < i; ci++) {
      const src = (t * i + ci) * o;
      for (let co = 0; co < o; co++) out[(co * i + ci) * taps + t] = data[src + co];
    }
  }
  return out;
}

/** OIHW [O, I, KH, KW] → HWIO [KH, KW, I, O] */
export function oihwToHwio(data: Float32Array, [o, i, kh, kw]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const taps = kh * kw;
  for (let co = 0; co < o; co++) {
    for (let ci = 0; ci < i; ci++) {
      const src = (co * i + ci) * taps;
      for (let t = 0; t < taps; t++) out[(t * i + ci) * o + co] = data[src + t];
    }
  }
  return out;
}
