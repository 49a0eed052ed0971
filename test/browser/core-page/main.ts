/// <reference types="vite/client" />
// The browser test page: imports the installed package by name (as a user's app does), runs
// the table cases and seeded fast-check properties on an ISA and thread count against the JS
// reference with the Node suite's own checker and roundoff bound, checks shapes large enough to
// be split across the threads, and tries each form of init({ wasm }).
// test/browser/core.test.ts drives it through window.wasmconvTest.
import fc from 'fast-check';
import {
  backend, conv1d, conv1dBackward, conv2d, conv2dBackward, init, tensor,
  type BackendInfo, type Conv1dOptions, type Conv2dOptions, type Isa,
} from 'wasmconv';
import relaxedSimdUrl from 'wasmconv/build/wasmconv-relaxed-simd.wasm?url';
import scalarUrl from 'wasmconv/build/wasmconv-scalar.wasm?url';
import simdUrl from 'wasmconv/build/wasmconv-simd.wasm?url';
import { FUZZ_PROPERTIES } from '../../helpers/arbitraries.js';
import { TABLE_CASES } from '../../helpers/cases.js';
import { checkConvCase, describeCase, worstSeen, type ConvCase } from '../../helpers/check-conv.js';
import { product, randomData, seededRandom } from '../../helpers/random.js';

export type Threads = 'auto' | 1;

export interface CoreResult {
  isa: Isa;
  /** what backend() said after init({ isa, threads }) */
  threads: number;
  threadsNote?: string;
  tableCases: number;
  fuzzCases: number;
  /** worst error seen, in units of roundoff (u·Σ|term|) */
  worstUlps: number;
  failures: string[];
}

const PROPERTIES = FUZZ_PROPERTIES;

const threadsLabel = (isa: Isa) => `${isa}, ${backend().threads} thread${backend().threads > 1 ? 's' : ''}`;

async function runCore(isa: Isa, runs: number, seed: number, threads: Threads): Promise<CoreResult> {
  await init({ isa, threads });
  const label = threadsLabel(isa);
  const failures: string[] = [];
  for (const c of TABLE_CASES) {
    try {
      const x = tensor(new Float32Array(c.xShape.reduce((a, b) => a * b)), c.xShape);
      const w = tensor(new Float32Array(c.wShape.reduce((a, b) => a * b)), c.wShape);
      const y = c.xShape.length === 4 ? conv2d(x, w, null, c.opts as Conv2dOptions) : conv1d(x, w, null, c.opts as Conv1dOptions);
      if (JSON.stringify(y.shape) !== JSON.stringify(c.outShape)) throw new Error(`y shape [${y.shape}], expected [${c.outShape}]`);
      checkConvCase(label, c);
    } catch (error) {
      failures.push(`table case "${c.name}": ${(error as Error).message}`);
    }
  }
  for (const [name, arbitrary] of PROPERTIES) {
    const details = fc.check(fc.property(arbitrary, (c) => checkConvCase(label, c)), { numRuns: runs, seed });
    if (details.failed) failures.push(`${name} property: ${fc.defaultReportMessage(details) ?? 'failed'}`);
  }
  const { threadsNote } = backend();
  return {
    isa: backend().isa,
    threads: backend().threads,
    ...(threadsNote ? { threadsNote } : {}),
    tableCases: TABLE_CASES.length,
    fuzzCases: PROPERTIES.length * runs,
    worstUlps: worstSeen.get(label) ?? 0,
    failures,
  };
}

/**
 * Batches of 3–5 images with at least 4 MFLOP per pass: on 2 or more threads each pass is split
 * across them (a slice needs 2 MFLOP, src/ops/passes/parallel.ts), unevenly where the batch is odd.
 */
const SPLIT_CASES: Array<ConvCase & { name: string }> = [
  { name: 'LeNet conv2 shape, batch 5', xShape: [5, 16, 12, 12], wShape: [32, 16, 5, 5], bias: true, opts: {}, seed: 101 },
  { name: 'stride 2, dilation 2, batch 3', xShape: [3, 16, 32, 32], wShape: [24, 16, 3, 3], bias: false, opts: { stride: 2, dilation: 2, padding: 2 }, seed: 102 },
  { name: 'groups 3, batch 4', xShape: [4, 24, 24, 24], wShape: [24, 8, 3, 3], bias: true, opts: { padding: 1, groups: 3 }, seed: 103 },
  { name: 'depthwise 5×5, batch 4', xShape: [4, 64, 32, 32], wShape: [64, 1, 5, 5], bias: true, opts: { padding: 2, groups: 64 }, seed: 104 },
  { name: 'conv1d, batch 3', xShape: [3, 16, 512], wShape: [32, 16, 5], bias: false, opts: { padding: 2 }, seed: 105 },
];

export interface SplitResult {
  isa: Isa;
  threads: number;
  cases: number;
  worstUlps: number;
  /**
   * the cases whose dw or db is not one thread's bit for bit: split, their sums over the batch
   * are added in another order, so this shows the passes were split
   */
  sumsDiffer: number;
  failures: string[];
}

/** y, dx, dw and db of a case on the active backend (data from the case's seed). */
function passes(c: ConvCase): Float32Array[] {
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(product(c.wShape), random), c.wShape);
  const two = c.xShape.length === 4;
  const opts = c.opts as Conv2dOptions & Conv1dOptions;
  const y = two ? conv2d(x, w, null, opts) : conv1d(x, w, null, opts);
  const dy = tensor(randomData(y.data.length, random), y.shape);
  const g = two ? conv2dBackward(dy, x, w, opts) : conv1dBackward(dy, x, w, opts);
  return [y.data, g.dx.data, g.dw.data, g.db.data];
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const bits = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);
  const [p, q] = [bits(a), bits(b)];
  return p.length === q.length && p.every((v, i) => v === q[i]);
}

/**
 * SPLIT_CASES on init({ isa, threads: 'auto' }): every pass against the reference within the
 * roundoff bound, and y and dx bit for bit those of one thread (each image's are computed alone;
 * dw and db are sums over the batch, added in another order when split).
 */
async function runSplit(isa: Isa): Promise<SplitResult> {
  const failures: string[] = [];
  await init({ isa, threads: 'auto' });
  const label = `${threadsLabel(isa)}, split`;
  const threads = backend().threads;
  let sumsDiffer = 0;
  for (const c of SPLIT_CASES) {
    await init({ isa, threads: 1 });
    const [y1, dx1, dw1, db1] = passes(c);
    await init({ isa, threads: 'auto' });
    try {
      checkConvCase(label, c);
    } catch (error) {
      failures.push(`split case "${c.name}": ${(error as Error).message}`);
    }
    const [y, dx, dw, db] = passes(c);
    if (!sameBits(dw, dw1) || !sameBits(db, db1)) sumsDiffer++;
    if (!sameBits(y, y1)) failures.push(`split case "${c.name}": y is not one thread's bit for bit; ${describeCase(c)}`);
    if (!sameBits(dx, dx1)) failures.push(`split case "${c.name}": dx is not one thread's bit for bit; ${describeCase(c)}`);
  }
  return { isa, threads, cases: SPLIT_CASES.length, worstUlps: worstSeen.get(label) ?? 0, sumsDiffer, failures };
}

/** conv1d of the README's worked example on whatever init() loaded: y must be [1.3, 2.1]. */
function workedExample(): number[] {
  return Array.from(conv1d(tensor([1, 2, 3], [1, 1, 3]), tensor([0.3, 0.5], [1, 1, 2])).data);
}

const URLS: Record<Isa, string> = { scalar: scalarUrl, simd: simdUrl, 'relaxed-simd': relaxedSimdUrl };

/** init({ wasm }) in each form a browser user would write; the ISA picked and the example's y for each. */
async function initForms(): Promise<Record<string, { isa: Isa; y: number[] } | { error: string }>> {
  const bytes = await (await fetch(simdUrl)).arrayBuffer();
  const forms: Record<string, () => Promise<void>> = {
    'URL string (relaxed-simd)': () => init({ wasm: relaxedSimdUrl }),
    'URL object (scalar)': () => init({ wasm: new URL(scalarUrl, location.href) }),
    ArrayBuffer: () => init({ wasm: bytes }),
    Uint8Array: () => init({ wasm: new Uint8Array(bytes) }),
    'WebAssembly.Module': async () => init({ wasm: await WebAssembly.compileStreaming(fetch(scalarUrl)) }),
    Response: async () => init({ wasm: await fetch(simdUrl) }),
    'record, auto': () => init({ wasm: URLS }),
    'record, isa simd': () => init({ isa: 'simd', wasm: URLS }),
    'function, auto': () => init({ wasm: async (isa) => URLS[isa] }),
    // served as application/octet-stream by the test server: streaming compile refuses it
    'wrong MIME type': () => init({ isa: 'simd', wasm: '/octet-stream/wasmconv-simd.wasm' }),
    'wrong build for the isa': () => init({ isa: 'simd', wasm: scalarUrl }),
    'an HTML page': () => init({ wasm: '/index.html' }),
  };
  const results: Record<string, { isa: Isa; y: number[] } | { error: string }> = {};
  for (const [name, run] of Object.entries(forms)) {
    try {
      await run();
      results[name] = { isa: backend().isa, y: workedExample() };
    } catch (error) {
      results[name] = { error: (error as Error).message };
    }
  }
  return results;
}

/** Whether plain WebAssembly.compileStreaming accepts a URL (it must refuse a wrong MIME type). */
async function streamingAccepts(url: string): Promise<boolean> {
  try {
    await WebAssembly.compileStreaming(fetch(url));
    return true;
  } catch {
    return false;
  }
}

async function autoInit(): Promise<BackendInfo> {
  await init();
  return backend();
}

const api = { autoInit, runCore, runSplit, initForms, streamingAccepts, workedExample };
export type WasmconvTestApi = typeof api;

declare global {
  interface Window {
    wasmconvTest: WasmconvTestApi;
  }
}

window.wasmconvTest = api;
document.getElementById('status')!.textContent = 'ready';
