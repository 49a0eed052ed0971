// The oracle for ConvTranspose2d, written from PyTorch's definition as a scatter: every input
// value x[n,c,ih,iw] adds x·w[c,o',kh,kw] to y[n, g·Og + o', ih·sh − pt + kh·dh, iw·sw − pl + kw·dw]
// (g = c's group, Og = outChannels/groups; targets outside y are dropped). Float64, slow on purpose.
//   OH = (H − 1)·sh − pt − pb + dh·(KH − 1) + oph + 1   (likewise OW)
// Backward walks the same terms: dx gets dy·w, dw gets x·dy; db sums dy.
import type { RefTensor } from './conv2d.js';

export interface ConvTransposeRefOptions {
  stride?: [number, number];
  /** [top, bottom, left, right] */
  padding?: [number, number, number, number];
  outputPadding?: [number, number];
  dilation?: [number, number];
  groups?: number;
}

interface Resolved {
  N: number; C: number; H: number; W: number; Cg: number; Og: number; O: number;
  KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; OH: number; OW: number;
}

function resolve(x: RefTensor, w: RefTensor, opts: ConvTransposeRefOptions): Resolved {
  const [N, C, H, W] = x.shape;
  const [, Og, KH, KW] = w.shape;
  const [sh, sw] = opts.stride ?? [1, 1];
  const [dh, dw] = opts.dilation ?? [1, 1];
  const [pt, pb, pl, pr] = opts.padding ?? [0, 0, 0, 0];
  const [oph, opw] = opts.outputPadding ?? [0, 0];
  const groups = opts.groups ?? 1;
  const OH = (H - 1) * sh - pt - pb + dh * (KH - 1) + oph + 1;
  const OW = (W - 1) * sw - pl - pr + dw * (KW - 1) + opw + 1;
  return { N, C, H, W, Cg: C / groups, Og, O: Og * groups, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW };
}

/** Calls visit(xIndex, wIndex, yIndex) for every term x·w that lands inside y. */
function eachTerm(r: Resolved, visit: (xi: number, wi: number, yi: number) => void): void {
  const { N, C, H, W, Cg, Og, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW } = r;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cg);
      for (let ih = 0; ih < H; ih++)
        for (let iw = 0; iw < W; iw++) {
          const xi = ((n * C + c) * H + ih) * W + iw;
          for (let o = 0; o < Og; o++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const oh = ih * sh - pt + kh * dh, ow = iw * sw - pl + kw * dw;
                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                const wi = ((c * Og + o) * KH + kh) * KW + kw;
                visit(xi, wi, ((n * O + g * Og + o) * OH + oh) * OW + ow);
              }
        }
    }
}

export function convTranspose2dRef(x: RefTensor, w: RefTensor, bias: ArrayLike<number> | null, opts: ConvTransposeRefOptions = {}) {
  const r = resolve(x, w, opts);
  const y = new Float64Array(r.N * r.O * r.OH * r.OW);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (r.OH * r.OW)) % r.O];
  eachTerm(r, (xi, wi, yi) => {
    y[yi] += x.data[xi] * w.data[wi];
  });
  return { data: y, shape: [r.N, r.O, r.OH, r.OW] };
}

export function convTranspose2dBackwardRef(dy: RefTensor, x: RefTensor, w: RefTensor, opts: ConvTransposeRefOptions = {}) {
  const r = resolve(x, w, opts);
  const dx = new Float64Array(x.data.length);
  const dw = new Float64Array(w.data.length);
  const db = new Float64Array(r.O);
  for (let i = 0; i < dy.data.length; i++) db[Math.floor(i / (r.OH * r.OW)) % r.O] += dy.data[i];
  eachTerm(r, (xi, wi, yi) => {
    dx[xi] += w.data[wi] * dy.data[yi];
    dw[wi] += x.data[xi] * dy.data[yi];
  });
  return { dx: { data: dx, shape: [...x.shape] }, dw: { data: dw, shape: [...w.shape] }, db: { data: db, shape: [r.O] } };
}
