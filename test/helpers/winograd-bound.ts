// The rounding-error bound of Winograd F(4×4, 3×3) (docs/winograd.md, "Accuracy"). Each output
// is Aᵀ [Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)] A + bias, computed in float32 through these stages, each
// rounding at most this many times along any path (products by 2, 4 and 8 are exact):
//   filter transform G g Gᵀ    4 + 4  (two adds, a product by an inexact constant such as 1/6,
//                                      and that constant's own rounding, per 1-D pass)
//   input transform Bᵀ d B     3 + 3  (a product by 5 and two adds per 1-D pass)
//   pointwise product          1
//   sum over C channels        C      (the GEMM, as in tolerance.ts)
//   output transform Aᵀ m A    3 + 3
//   bias                       1
// so with the standard first-order analysis (Higham §3.5, errors of a chain of products and
// sums add up) |ŷ − y| ≤ (C + 22)·u·S, where S is the same computation done on absolute values
// with |G|, |B|, |A|: the Winograd analogue of tolerance.ts's Σ|term|. S is larger than the
// direct conv's Σ|term| (the transforms mix every tap with every window element), which is
// why Winograd is less accurate than the GEMM path; winogradScale computes it in float64.
const G = [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]];
const BT = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]];
const AT = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]];
const abs = (m: number[][]) => m.map((r) => r.map(Math.abs));
const absG = abs(G), absBT = abs(BT), absAT = abs(AT);

/** Rounding steps besides the C of the channel sum (see above). */
export const WINOGRAD_EXTRA_TERMS = 22;

/** P·X·Qᵀ for small dense matrices. */
function sandwich(p: number[][], x: number[][], q: number[][]): number[][] {
  const px = p.map((row) => x[0].map((_, j) => row.reduce((s, v, k) => s + v * x[k][j], 0)));
  return px.map((row) => q.map((qr) => row.reduce((s, v, k) => s + v * qr[k], 0)));
}

/**
 * S for every output of the conv of x [N,C,H,W] with w [O,C,3,3] (+ bias), stride 1, padding
 * (padTop, padLeft) before (negative: a crop), outH×outW outputs, all in float64 on the
 * absolute values of the inputs given (pass them absolute).
 */
export function winogradScale(
  x: ArrayLike<number>, xShape: readonly number[], w: ArrayLike<number>, outChannels: number, bias: ArrayLike<number> | null,
  padTop: number, padLeft: number, outH: number, outW: number,
): Float64Array {
  const [batch, channels, inH, inW] = xShape;
  const u: number[][][] = [];
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < channels; c++) {
      const g = [0, 1, 2].map((r) => [0, 1, 2].map((k) => Math.abs(w[((o * channels + c) * 3 + r) * 3 + k])));
      u.push(sandwich(absG, g, absG));
    }
  }
  const out = new Float64Array(batch * outChannels * outH * outW);
  const tilesH = Math.ceil(outH / 4), tilesW = Math.ceil(outW / 4);
  for (let n = 0; n < batch; n++) {
    for (let ty = 0; ty < tilesH; ty++) {
      for (let tx = 0; tx < tilesW; tx++) {
        const v: number[][][] = [];
        for (let c = 0; c < channels; c++) {
          const d = [0, 1, 2, 3, 4, 5].map((r) => [0, 1, 2, 3, 4, 5].map((k) => {
            const h = 4 * ty + r - padTop, x0 = 4 * tx + k - padLeft;
            return h >= 0 && h < inH && x0 >= 0 && x0 < inW ? Math.abs(x[((n * channels + c) * inH + h) * inW + x0]) : 0;
          }));
          v.push(sandwich(absBT, d, absBT));
        }
        for (let o = 0; o < outChannels; o++) {
          const m = [0, 1, 2, 3, 4, 5].map((a) => [0, 1, 2, 3, 4, 5].map((b) => {
            let s = 0;
            for (let c = 0; c < channels; c++) s += u[o * channels + c][a][b] * v[c][a][b];
            return s;
          }));
          const y = sandwich(absAT, m, absAT);
          for (let i = 0; i < 4; i++) {
            for (let j = 0; j < 4; j++) {
              const h = 4 * ty + i, x0 = 4 * tx + j;
              if (h < outH && x0 < outW) out[((n * outChannels + o) * outH + h) * outW + x0] = y[i][j] + (bias ? Math.abs(bias[o]) : 0);
            }
          }
        }
      }
    }
  }
  return out;
}

// dW by Winograd: per 4×4 tile e of dY and 6×6 window d, dW += Gᵀ [(A e Aᵀ) ⊙ (Bᵀ d B)] G,
// summed over every tile of every image. Roundings along a path: input transform 3 + 3, dY
// transform 2 + 2 (sums of four; products by 2, 4, 8 exact), product 1, the sum over all
// N·tiles tiles (the GEMMs accumulate over blocks and images), inverse filter transform
// 5 + 5 (sums of six with inexact constants 1/6, 1/12, 1/24): so |ŷ − y| ≤ (N·tiles + 18)·u·S_dw.
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
const absA = transpose(absAT), absGT = transpose(absG);

/** Rounding steps of Winograd dW besides the N·tiles of the sum over tiles (see above). */
export const WINOGRAD_DW_EXTRA_TERMS = 18;

/**
 * S_dw for every weight of the 3×3 conv of x [N,C,H,W] giving dy [N,O,OH,OW], stride 1,
 * padding (padTop, padLeft) before, in float64 on the absolute values given (pass them absolute).
 */
export function winogradFilterGradientScale(
  x: ArrayLike<number>, xShape: readonly number[], dy: ArrayLike<number>, dyShape: readonly number[], padTop: number, padLeft: number,
): Float64Array {
  const [batch, channels, inH, inW] = xShape;
  const [, outChannels, outH, outW] = dyShape;
  const m = Array.from({ length: outChannels * channels }, () => [0, 1, 2, 3, 4, 5].map(() => new Array<number>(6).fill(0)));
  for (let n = 0; n < batch; n++) {
    for (let ty = 0; ty < Math.ceil(outH / 4); ty++) {
      for (let tx = 0; tx < Math.ceil(outW / 4); tx++) {
        const v = Array.from({ length: channels }, (_, c) => sandwich(absBT, [0, 1, 2, 3, 4, 5].map((r) => [0, 1, 2, 3, 4, 5].map((k) => {
          const h = 4 * ty + r - padTop, x0 = 4 * tx + k - padLeft;
          return h >= 0 && h < inH && x0 >= 0 && x0 < inW ? Math.abs(x[((n * channels + c) * inH + h) * inW + x0]) : 0;
        })), absBT));
        for (let o = 0; o < outChannels; o++) {
          const e = sandwich(absA, [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => {
            const h = 4 * ty + i, x0 = 4 * tx + j;
            return h < outH && x0 < outW ? Math.abs(dy[((n * outChannels + o) * outH + h) * outW + x0]) : 0;
          })), absA);
          for (let c = 0; c < channels; c++) {
            const mo = m[o * channels + c], vc = v[c];
            for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) mo[a][b] += e[a][b] * vc[a][b];
          }
        }
      }
    }
  }
  const out = new Float64Array(outChannels * channels * 9);
  m.forEach((mo, i) => sandwich(absGT, mo, absGT).forEach((row, r) => row.forEach((value, s) => (out[i * 9 + r * 3 + s] = value))));
  return out;
}

// conv1d by F(4, 3): each tile of 4 outputs is Aᵀ [Σ_c (G g_c) ⊙ (Bᵀ d_c)] + bias, the 1-D
// factors of the stages above, each rounding at most this many times along any path:
//   filter transform G g   4  (two adds, a product by an inexact constant and its rounding)
//   input transform Bᵀ d   3
//   pointwise product      1
//   sum over C channels    C
//   output transform Aᵀ m  3
//   bias                   1
// so |ŷ − y| ≤ (C + 12)·u·S with S = |Aᵀ| [Σ_c (|G| |g_c|) ⊙ (|Bᵀ| |d_c|)] + |bias|.
// dW: input transform 3, dY transform A e 2, product 1, the sum over all N·tiles tiles,
// inverse filter transform Gᵀ m 5: |ŷ − y| ≤ (N·tiles + 11)·u·S_dw with
// S_dw = Σ_{n, tiles} |Gᵀ| [(|A| |e|) ⊙ (|Bᵀ| |d|)].

/** Rounding steps of conv1d's F(4, 3) besides the C of the channel sum (see above). */
export const WINOGRAD_1D_EXTRA_TERMS = 12;
/** Rounding steps of conv1d's F(4, 3) dW besides the N·tiles of the sum over tiles (see above). */
export const WINOGRAD_1D_DW_EXTRA_TERMS = 11;

const times = (m: number[][], v: number[]) => m.map((row) => row.reduce((s, a, k) => s + a * v[k], 0));

/** |x[n][c][i]| at padded position i (0 outside the row). */
const rowAt = (x: ArrayLike<number>, inL: number, base: number, i: number) => (i >= 0 && i < inL ? Math.abs(x[base + i]) : 0);

/**
 * S for every output of the conv1d of x [N,C,L] with w [O,C,3] (+ bias), stride 1, padding
 * `padLeft` before (negative: a crop), outL outputs, in float64 on absolute values.
 */
export function winograd1dScale(
  x: ArrayLike<number>, xShape: readonly number[], w: ArrayLike<number>, outChannels: number, bias: ArrayLike<number> | null,
  padLeft: number, outL: number,
): Float64Array {
  const [batch, channels, inL] = xShape;
  const u = Array.from({ length: outChannels * channels }, (_, i) => times(absG, [0, 1, 2].map((k) => Math.abs(w[i * 3 + k]))));
  const out = new Float64Array(batch * outChannels * outL);
  for (let n = 0; n < batch; n++) {
    for (let t = 0; t < Math.ceil(outL / 4); t++) {
      const v = Array.from({ length: channels }, (_, c) =>
        times(absBT, [0, 1, 2, 3, 4, 5].map((k) => rowAt(x, inL, (n * channels + c) * inL, 4 * t + k - padLeft))));
      for (let o = 0; o < outChannels; o++) {
        const m = [0, 1, 2, 3, 4, 5].map((xi) => {
          let s = 0;
          for (let c = 0; c < channels; c++) s += u[o * channels + c][xi] * v[c][xi];
          return s;
        });
        times(absAT, m).forEach((value, i) => {
          if (4 * t + i < outL) out[(n * outChannels + o) * outL + 4 * t + i] = value + (bias ? Math.abs(bias[o]) : 0);
        });
      }
    }
  }
  return out;
}

/** S_dw for every weight of the 3-tap conv1d of x [N,C,L] giving dy [N,O,OL], stride 1, padding `padLeft` before, in float64. */
export function winograd1dFilterGradientScale(
  x: ArrayLike<number>, xShape: readonly number[], dy: ArrayLike<number>, dyShape: readonly number[], padLeft: number,
): Float64Array {
  const [batch, channels, inL] = xShape;
  const [, outChannels, outL] = dyShape;
  const m = Array.from({ length: outChannels * channels }, () => new Array<number>(6).fill(0));
  for (let n = 0; n < batch; n++) {
    for (let t = 0; t < Math.ceil(outL / 4); t++) {
      const v = Array.from({ length: channels }, (_, c) =>
        times(absBT, [0, 1, 2, 3, 4, 5].map((k) => rowAt(x, inL, (n * channels + c) * inL, 4 * t + k - padLeft))));
      for (let o = 0; o < outChannels; o++) {
        const e = times(absA, [0, 1, 2, 3].map((i) => (4 * t + i < outL ? Math.abs(dy[(n * outChannels + o) * outL + 4 * t + i]) : 0)));
        for (let c = 0; c < channels; c++) for (let xi = 0; xi < 6; xi++) m[o * channels + c][xi] += e[xi] * v[c][xi];
      }
    }
  }
  const out = new Float64Array(outChannels * channels * 3);
  m.forEach((mo, i) => times(absGT, mo).forEach((value, k) => (out[i * 3 + k] = value)));
  return out;
}
