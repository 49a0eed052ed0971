// The 3×3 depthwise forward kernel (stride 1 or 2, f32_dwconv_fwd_3x3) against the generic
// depthwise kernel it stands in for, on the same plan: y must be the same bit for bit (both sum
// bias, then the taps in (ky, kx) order). Against the float64 reference, forward and gradients,
// and across threads, the kernel is fuzzed with the other conv paths (depthwise3x3Case in
// helpers/arbitraries.ts, run by fuzz.test.ts, threads.test.ts and threads-small-batch.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/loader.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { depthwisePasses } from '../src/ops/passes/depthwise.js';
import { depthwise3x3Case } from './helpers/arbitraries.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** DwPlan's padBytes and padPlanes (i32 fields 13 and 14, assembly/f32-dwconv/f32-dwconv-plan.ts). */
const PAD_BYTES = 13, PAD_PLANES = 14;

for (const isa of TEST_ISAS) {
  describe(`f32_dwconv_fwd_3x3, isa ${isa}`, () => {
    it('equals the generic depthwise kernel bit for bit (fuzzed: strides 1 and 2, paddings 0/1/asymmetric, odd sizes)', async () => {
      const k = await instantiateKernels(isa);
      fc.assert(fc.property(depthwise3x3Case, (c) => {
        const g = convGeometry('test', c.xShape, c.wShape, parseConv2dOptions('test', c.opts as never));
        expect([g.kernelH, g.kernelW, g.strideW, g.dilationH, g.dilationW]).toEqual([3, 3, g.strideH, 1, 1]);
        const { forward } = depthwisePasses(g);
        const random = seededRandom(c.seed);
        const x = randomData(product(c.xShape), random), w = randomData(product(c.wShape), random), bias = randomData(g.outChannels, random);
        const xImage = g.inChannels * g.inH * g.inW, yImage = g.outChannels * g.outH * g.outW;
        let at = Math.ceil(k.heap_base() / 16) * 16;
        const place = (floats: number) => { const o = at; at += Math.ceil(floats / 4) * 16; return o; };
        const px = place(x.length), pw = place(w.length), pb = place(bias.length), py = place(g.batch * yImage), scratch = place(forward.scratchFloats);
        if (k.memory.buffer.byteLength < at) k.memory.grow(Math.ceil((at - k.memory.buffer.byteLength) / 65536));
        new Float32Array(k.memory.buffer, px, x.length).set(x);
        new Float32Array(k.memory.buffer, pw, w.length).set(w);
        new Float32Array(k.memory.buffer, pb, bias.length).set(bias);
        const p = { x: px, w: pw, bias: c.bias ? pb : 0, y: py };
        // the pass, which picks the 3×3 kernel for these convs (counted) …
        let calls = 0;
        const counted = { ...k, f32_dwconv_fwd_3x3: (...args: Parameters<typeof k.f32_dwconv_fwd_3x3>) => { calls++; k.f32_dwconv_fwd_3x3(...args); } };
        forward.prepare(counted, p, scratch, 0);
        forward.images(counted, p, scratch, 0);
        expect(calls).toBe(g.batch);
        const fast = new Float32Array(k.memory.buffer, py, g.batch * yImage).slice();
        // … then the generic kernel on the plan it wrote (the padded planes end the scratch)
        const plan = new Int32Array(k.memory.buffer, scratch, 16);
        const padded = scratch + forward.scratchFloats * 4 - plan[PAD_BYTES] * plan[PAD_PLANES];
        new Float32Array(k.memory.buffer, py, g.batch * yImage).fill(Number.NaN);
        for (let n = 0; n < g.batch; n++) k.f32_dwconv_fwd(scratch, px + n * xImage * 4, pw, p.bias, py + n * yImage * 4, padded);
        const generic = new Float32Array(k.memory.buffer, py, g.batch * yImage).slice();
        expect(fast.every(Number.isFinite)).toBe(true);
        expect(bits(fast)).toEqual(bits(generic));
      }), { numRuns: 300 });
    });
  });
}
