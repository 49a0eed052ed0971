// The oracle for conv1d, a loop nest of its own (not routed through the 2-D reference, so the
// library's 1-D → 2-D mapping is checked too). Same conventions as reference/conv2d.ts:
//   y[n,o,ol] = bias[o] + Σ_{c,k} x[n, g·Cg + c, ol·s − pl + k·d] · w[o,c,k]
import type { Conv1dOptions } from '../ops/options.js';
import type { RefTensor } from './conv2d.js';
import { clampRef } from './conv-activation.js';

interface Resolved {
  N: number; C: number; L: number; O: number; Cg: number; K: number;
  s: number; d: number; pl: number; OL: number; Og: number;
}

function resolve(x: RefTensor, w: RefTensor, opts: Conv1dOptions): Resolved {
  const [N, C, L] = x.shape;
  const [O, Cg, K] = w.shape;
  const s = opts.stride ?? 1;
  const d = opts.dilation ?? 1;
  let pl: number, pr: number;
  const p = opts.padding ?? 0;
  if (p === 'same') {
    const out = Math.ceil(L / s);
    const total = Math.max((out - 1) * s + d * (K - 1) + 1 - L, 0);
    [pl, pr] = [Math.floor(total / 2), total - Math.floor(total / 2)];
  } else if (p === 'valid') [pl, pr] = [0, 0];
  else if (typeof p === 'number') [pl, pr] = [p, p];
  else [pl, pr] = p;
  const OL = Math.floor((L + pl + pr - d * (K - 1) - 1) / s) + 1;
  return { N, C, L, O, Cg, K, s, d, pl, OL, Og: O / (opts.groups ?? 1) };
}

function eachTerm(r: Resolved, visit: (xi: number, wi: number, yi: number) => void): void {
  const { N, C, L, O, Cg, K, s, d, pl, OL, Og } = r;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let ol = 0; ol < OL; ol++)
        for (let c = 0; c < Cg; c++)
          for (let k = 0; k < K; k++) {
            const il = ol * s - pl + k * d;
            if (il < 0 || il >= L) continue;
            visit((n * C + g * Cg + c) * L + il, (o * Cg + c) * K + k, (n * O + o) * OL + ol);
          }
    }
}

export function conv1dRef(x: RefTensor, w: RefTensor, bias: ArrayLike<number> | null, opts: Conv1dOptions = {}) {
  const r = resolve(x, w, opts);
  const y = new Float64Array(r.N * r.O * r.OL);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / r.OL) % r.O];
  eachTerm(r, (xi, wi, yi) => {
    y[yi] += x.data[xi] * w.data[wi];
  });
  return { data: clampRef(y, opts.activation), shape: [r.N, r.O, r.OL] };
}

export function conv1dBackwardRef(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Conv1dOptions = {}) {
  const r = resolve(x, w, opts);
  const dx = new Float64Array(x.data.length);
  const dw = new Float64Array(w.data.length);
  const db = new Float64Array(r.O);
  for (let i = 0; i < dy.data.length; i++) db[Math.floor(i / r.OL) % r.O] += dy.data[i];
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
