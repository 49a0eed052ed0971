// The oracle: conv2d forward and all three gradients as the plainest loop nest, float64
// accumulation, written from the definitions (API.md). It interprets the options itself rather
// than sharing the library's parser, so a parsing bug there cannot hide here. Slow on purpose.
//
//   y[n,o,oh,ow] = bias[o] + Σ_{c,kh,kw} x[n, g·Cg + c, oh·sh − pt + kh·dh, ow·sw − pl + kw·dw] · w[o,c,kh,kw]
//   (g = o's group; terms that fall in the padding are zero)
//
// Backward walks the same nest: every term x·w that fed y[n,o,oh,ow] sends dy[n,o,oh,ow]·w back
// to that x, and dy·x to that w (summed over every position and image); db sums dy.
import type { Conv2dOptions } from '../ops/options.js';
import { clampRef } from './conv-activation.js';

export interface RefTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

interface Resolved {
  N: number; C: number; H: number; W: number;
  O: number; Cg: number; KH: number; KW: number;
  sh: number; sw: number; dh: number; dw: number;
  pt: number; pl: number; OH: number; OW: number; Og: number;
}

const pair = (v: number | [number, number] | undefined): [number, number] =>
  v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;

/** SAME_UPPER, per API.md: out = ceil(in/stride); the odd padding pixel goes after. */
function same(inSize: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + d * (k - 1) + 1 - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function resolve(x: RefTensor, w: RefTensor, opts: Conv2dOptions): Resolved {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const [sh, sw] = pair(opts.stride);
  const [dh, dw] = pair(opts.dilation);
  let pt: number, pb: number, pl: number, pr: number;
  const p = opts.padding ?? 0;
  if (p === 'same') [[pt, pb], [pl, pr]] = [same(H, KH, sh, dh), same(W, KW, sw, dw)];
  else if (p === 'valid') [pt, pb, pl, pr] = [0, 0, 0, 0];
  else if (typeof p === 'number') [pt, pb, pl, pr] = [p, p, p, p];
  else if (p.length === 2) [pt, pb, pl, pr] = [p[0], p[0], p[1], p[1]];
  else [pt, pb, pl, pr] = p;
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  const groups = opts.groups ?? 1;
  return { N, C, H, W, O, Cg, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, Og: O / groups };
}

/** Calls visit(xIndex, wIndex, yIndex, o) for every term x·w of every output. */
function eachTerm(r: Resolved, visit: (xi: number, wi: number, yi: number, o: number) => void): void {
  const { N, C, H, W, O, Cg, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, Og } = r;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const yi = ((n * O + o) * OH + oh) * OW + ow;
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * sh - pt + kh * dh;
                const iw = ow * sw - pl + kw * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const xi = ((n * C + g * Cg + c) * H + ih) * W + iw;
                const wi = ((o * Cg + c) * KH + kh) * KW + kw;
                visit(xi, wi, yi, o);
              }
        }
    }
}

export function conv2dRef(x: RefTensor, w: RefTensor, bias: ArrayLike<number> | null, opts: Conv2dOptions = {}) {
  const r = resolve(x, w, opts);
  const shape = [r.N, r.O, r.OH, r.OW];
  const y = new Float64Array(r.N * r.O * r.OH * r.OW);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (r.OH * r.OW)) % r.O];
  eachTerm(r, (xi, wi, yi) => {
    y[yi] += x.data[xi] * w.data[wi];
  });
  return { data: clampRef(y, opts.activation), shape };
}

export function conv2dBackwardRef(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Conv2dOptions = {}) {
  const r = resolve(x, w, opts);
  const dx = new Float64Array(x.data.length);
  const dw = new Float64Array(w.data.length);
  const db = new Float64Array(r.O);
  for (let i = 0; i < dy.data.length; i++) db[Math.floor(i / (r.OH * r.OW)) % r.O] += dy.data[i];
  eachTerm(r, (xi, wi, yi) => {
    dx[xi] += w.data[wi] * dy.data[yi];
    dw[wi] += x.data[xi] * dy.data[yi];
  });
  return {
    dx: { data: dx, shape: [...x.shape] },
    dw: { data: dw, shape: [...w.shape] },
    db: { data: db, shape: [r.O] },
  };
}
