// Command-line flags of `npm run bench` (the relaxed-SIMD child gets the same ones).
import { parseArgs } from 'node:util';
import { selectPasses, selectShapes } from './shapes.js';

export const USAGE = `usage: node bench/run.js [--quick] [--shapes S2,S4] [--passes forward,dx,dw] [--impls simd,tfjs-wasm,...] [--no-peers] [--threads N]
  --quick      short budgets; calls projected over 3 s are skipped, calls over 1 s get one sample
  --shapes     shape ids from DESIGN.md (S1..S8)
  --passes     forward, dx, dw (= dW+db)
  --impls      relaxed-simd, simd, scalar, js-reference, tfjs-cpu, tfjs-wasm, onnxruntime-web, and the
               multi-thread rows relaxed-simd ×2, simd ×2, tfjs-wasm ×2, onnxruntime-web ×2 (×N with --threads N);
               algorithm rows relaxed-simd-winograd, simd-winograd (in every run) and relaxed-simd-gemm,
               simd-gemm (only when named): the algorithm option forced (docs/winograd.md)
  --no-peers   ours and the reference only
  --threads N  the multi-thread rows ("simd ×N", …) use N threads (default 2; 1 leaves them out)`;

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      shapes: { type: 'string' },
      passes: { type: 'string' },
      impls: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const list = (s) => s?.split(',').map((v) => v.trim()).filter(Boolean);
  return {
    help: values.help,
    quick: values.quick,
    shapes: selectShapes(list(values.shapes)),
    passes: selectPasses(list(values.passes)),
    impls: list(values.impls) ?? null,
    peers: !values['no-peers'],
    threads: threadCount(values.threads),
  };
}

function threadCount(text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--threads: an integer from 1 to 64, got ${JSON.stringify(text)}`);
  return n;
}
