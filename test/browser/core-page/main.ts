/// <reference types="vite/client" />
// The browser test page: imports the installed package by name (as a user's app does), runs
// the table cases and seeded fast-check properties on an ISA against the JS reference with the
// Node suite's own checker and roundoff bound, and tries each form of init({ wasm }).
// test/browser/core.test.ts drives it through window.wasmconvTest.
import fc from 'fast-check';
import { backend, conv1d, conv2d, init, tensor, type BackendInfo, type Conv1dOptions, type Conv2dOptions, type Isa } from 'wasmconv';
import relaxedSimdUrl from 'wasmconv/build/wasmconv-relaxed-simd.wasm?url';
import scalarUrl from 'wasmconv/build/wasmconv-scalar.wasm?url';
import simdUrl from 'wasmconv/build/wasmconv-simd.wasm?url';
import { FUZZ_PROPERTIES } from '../../helpers/arbitraries.js';
import { TABLE_CASES } from '../../helpers/cases.js';
import { checkConvCase, worstSeen } from '../../helpers/check-conv.js';

export interface CoreResult {
  isa: Isa;
  tableCases: number;
  fuzzCases: number;
  /** worst error seen, in units of roundoff (u·Σ|term|) */
  worstUlps: number;
  failures: string[];
}

const PROPERTIES = FUZZ_PROPERTIES;

async function runCore(isa: Isa, runs: number, seed: number): Promise<CoreResult> {
  await init({ isa });
  const failures: string[] = [];
  for (const c of TABLE_CASES) {
    try {
      const x = tensor(new Float32Array(c.xShape.reduce((a, b) => a * b)), c.xShape);
      const w = tensor(new Float32Array(c.wShape.reduce((a, b) => a * b)), c.wShape);
      const y = c.xShape.length === 4 ? conv2d(x, w, null, c.opts as Conv2dOptions) : conv1d(x, w, null, c.opts as Conv1dOptions);
      if (JSON.stringify(y.shape) !== JSON.stringify(c.outShape)) throw new Error(`y shape [${y.shape}], expected [${c.outShape}]`);
      checkConvCase(isa, c);
    } catch (error) {
      failures.push(`table case "${c.name}": ${(error as Error).message}`);
    }
  }
  for (const [name, arbitrary] of PROPERTIES) {
    const details = fc.check(fc.property(arbitrary, (c) => checkConvCase(isa, c)), { numRuns: runs, seed });
    if (details.failed) failures.push(`${name} property: ${fc.defaultReportMessage(details) ?? 'failed'}`);
  }
  return {
    isa: backend().isa,
    tableCases: TABLE_CASES.length,
    fuzzCases: PROPERTIES.length * runs,
    worstUlps: worstSeen.get(isa) ?? 0,
    failures,
  };
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

const api = { autoInit, runCore, initForms, streamingAccepts, workedExample };
export type WasmconvTestApi = typeof api;

declare global {
  interface Window {
    wasmconvTest: WasmconvTestApi;
  }
}

window.wasmconvTest = api;
document.getElementById('status')!.textContent = 'ready';
