// Layout changes between our NCHW / OIHW tensors and the peers' NHWC / HWIO ones. They run
// once per shape, outside the timed bodies.

/**
 * out[i_perm[0], i_perm[1], ...] = data[i_0, i_1, ...]: axis k of the result is axis perm[k]
 * of the input (numpy's transpose). Returns a new Float32Array and its shape.
 */
export function permute(data, shape, perm) {
  const rank = shape.length;
  const outShape = perm.map((axis) => shape[axis]);
  const inStrides = new Array(rank);
  for (let k = rank - 1, s = 1; k >= 0; k--) { inStrides[k] = s; s *= shape[k]; }
  const stride = perm.map((axis) => inStrides[axis]); // input stride of each output axis
  const out = new Float32Array(data.length);
  const index = new Array(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[src];
    // odometer over the output's axes, moving src by the matching input strides
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < outShape[k]) { src += stride[k]; break; }
      src -= stride[k] * (outShape[k] - 1);
      index[k] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** An NCHW tensor (or NCL, given as N,C,1,L) as NHWC. */
export const toNhwc = (data, nchw) => permute(data, nchw, [0, 2, 3, 1]);
/** NHWC back to NCHW. */
export const fromNhwc = (data, nhwc) => permute(data, nhwc, [0, 3, 1, 2]);
/** Weights [O, Cg, KH, KW] as tfjs's [KH, KW, Cg, O]. */
export const toHwio = (data, oihw) => permute(data, oihw, [2, 3, 1, 0]);
/** [KH, KW, Cg, O] back to [O, Cg, KH, KW]. */
export const fromHwio = (data, hwio) => permute(data, hwio, [3, 2, 0, 1]);
