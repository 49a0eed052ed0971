// The package in Chromium: bundled by Vite's production build exactly as a user's app imports it
// (from node_modules, through the exports map), served over HTTP cross-origin isolated (so that
// threads run), and checked in the page against the JS reference on every ISA the browser
// validates, on one thread and on the browser's cores, with the Node suite's checker and bound.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreResult, SplitResult, Threads } from './core-page/main.js';
import { bundleProblems, buildAndServe, installPackage, ISOLATION_HEADERS, launchChromium, REPO, watchPage, type ServedBundle } from './harness.js';

const PAGE = fileURLToPath(new URL('./core-page/', import.meta.url));
const RUNS = Number(process.env.WASMCONV_BROWSER_FUZZ_RUNS ?? 500);
const SEED = Number(process.env.WASMCONV_BROWSER_FUZZ_SEED ?? 20240601);

/**
 * The shared test helpers import the library from ../../src; in the page they must exercise the
 * installed package instead, so those two imports are pointed at 'wasmconv' and
 * 'wasmconv/reference', and any other import of src/ is refused.
 */
const helpersUseThePackage: Plugin = {
  name: 'helpers-use-the-package',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    const target = resolve(dirname(importer), source);
    const src = join(REPO, 'src');
    if (!target.startsWith(src)) return null;
    const entry = { [join(src, 'index.js')]: 'wasmconv', [join(src, 'reference/index.js')]: 'wasmconv/reference' }[target];
    if (!entry) this.error(`${importer} imports ${source}: the browser page must use the installed package only`);
    return this.resolve(entry, join(PAGE, 'main.ts'), { skipSelf: true });
  },
};

/** Serves the simd binary as application/octet-stream, as misconfigured servers do. */
const octetStreamWasm: Plugin = {
  name: 'octet-stream-wasm',
  configurePreviewServer(server) {
    server.middlewares.use('/octet-stream/wasmconv-simd.wasm', (_request, response) => {
      response.setHeader('content-type', 'application/octet-stream');
      response.end(readFileSync(join(REPO, 'build/wasmconv-simd.wasm')));
    });
  },
};

let browser: Browser | undefined;
let bundle: ServedBundle | undefined;
let page: Page;
let pageErrors: string[];
/** the threads init({ threads: 'auto' }) runs in the page: navigator.hardwareConcurrency, at most 8 */
let autoThreads: number;
let cores: number;

beforeAll(async () => {
  browser = await launchChromium();
  installPackage(PAGE);
  // ES2020 has no top-level await, which esbuild cannot lower: the build fails if the library or
  // anything it imports uses one (DESIGN.md: it breaks some bundlers).
  bundle = await buildAndServe('browser-core', { root: PAGE, plugins: [helpersUseThePackage, octetStreamWasm], target: 'es2020', headers: ISOLATION_HEADERS });
  page = await browser.newPage();
  pageErrors = watchPage(page);
  await page.goto(bundle.url);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  cores = await page.evaluate(() => navigator.hardwareConcurrency);
  autoThreads = Math.min(cores, 8);
});

afterAll(async () => {
  await browser?.close();
  await bundle?.close();
});

describe('Vite production bundle', () => {
  it('builds for ES2020 (so no top-level await) without warnings, with no Node built-in, and emits the six binaries and the pool\'s worker from new URL(…, import.meta.url)', () => {
    expect(bundleProblems(bundle!)).toEqual([]);
  });
});

describe('Chromium', () => {
  it("init() picks the best ISA the browser validates: relaxed-simd from Chromium 114 on", async () => {
    const info = await page.evaluate(() => window.wasmconvTest.autoInit());
    const major = Number(browser!.version().split('.')[0]);
    console.log(`Chromium ${browser!.version()}: validates ${info.supported.join(', ')}; init() picked ${info.isa}`);
    expect(info.isa).toBe(info.supported[0]);
    expect(info.supported).toContain('simd');
    expect(info.supported).toContain('scalar');
    if (major >= 114) expect(info.isa).toBe('relaxed-simd');
    expect(await page.evaluate(() => window.wasmconvTest.workedExample())).toEqual([Math.fround(1.3), Math.fround(2.1)]);
  });

  it("served cross-origin isolated, init() runs threads: the browser's cores (2 or more where there are 2 or more)", async () => {
    const info = await page.evaluate(() => window.wasmconvTest.autoInit());
    console.log(`Chromium: crossOriginIsolated ${await page.evaluate(() => crossOriginIsolated)}; ${cores} cores; init() runs ${info.threads} threads`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(info.threadsNote).toBeUndefined();
    expect(info.threads).toBe(autoThreads);
    if (cores >= 2) expect(info.threads).toBeGreaterThanOrEqual(2);
    expect(page.workers().length).toBeGreaterThanOrEqual(autoThreads - 1);
  });

  it(`table cases and ${RUNS} seeded fast-check runs per property agree with the JS reference on every ISA, on one thread and on threads 'auto'`, async () => {
    const supported = await page.evaluate(() => window.wasmconvTest.autoInit().then((info) => info.supported));
    const results: CoreResult[] = [];
    const runs: Array<[string, Threads]> = supported.flatMap((isa) => [[isa, 1], [isa, 'auto']] as Array<[string, Threads]>);
    for (const [isa, threads] of runs) {
      results.push(await page.evaluate(([isa, runs, seed, threads]) => window.wasmconvTest.runCore(isa, runs, seed, threads), [isa as CoreResult['isa'], RUNS, SEED, threads] as const));
    }
    for (const r of results) {
      console.log(
        `browser isa ${r.isa}, ${r.threads} thread(s): ${r.tableCases} table cases + ${r.fuzzCases} fuzz cases (seed ${SEED}); ` +
          `worst error ${r.worstUlps.toFixed(2)} units of roundoff`,
      );
    }
    expect(results.map((r) => [r.isa, r.threads, r.threadsNote])).toEqual(runs.map(([isa, threads]) => [isa, threads === 1 ? 1 : autoThreads, undefined]));
    expect(results.flatMap((r) => r.failures)).toEqual([]);
  });

  it('shapes split across the threads agree with the reference on every ISA; y and dx are one thread\'s bit for bit, dw and db summed in another order', async () => {
    const supported = await page.evaluate(() => window.wasmconvTest.autoInit().then((info) => info.supported));
    const results: SplitResult[] = [];
    for (const isa of supported) results.push(await page.evaluate((isa) => window.wasmconvTest.runSplit(isa), isa));
    for (const r of results) {
      console.log(
        `browser isa ${r.isa}, ${r.threads} threads: ${r.cases} split cases; worst error ${r.worstUlps.toFixed(2)} units of roundoff; ` +
          `dw or db not one thread's bit for bit (sums added in another order) in ${r.sumsDiffer} of them`,
      );
    }
    expect(results.map((r) => [r.isa, r.threads])).toEqual(supported.map((isa) => [isa, autoThreads]));
    if (cores >= 2) expect(autoThreads).toBeGreaterThanOrEqual(2);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    // the passes were split indeed: on one thread the sums over the batch are added in another order
    if (autoThreads >= 2) for (const r of results) expect(r.sumsDiffer, `isa ${r.isa}: cases whose dw or db differ from one thread's`).toBeGreaterThan(0);
  });

  it('init({ wasm }) takes a URL, bytes, a Module, a Response, a record or a function; refuses a wrong build or an HTML page', async () => {
    const y = [Math.fround(1.3), Math.fround(2.1)];
    expect(await page.evaluate(() => window.wasmconvTest.streamingAccepts('/octet-stream/wasmconv-simd.wasm'))).toBe(false);
    const results = await page.evaluate(() => window.wasmconvTest.initForms());
    expect(results).toEqual({
      'URL string (relaxed-simd)': { isa: 'relaxed-simd', y },
      'URL object (scalar)': { isa: 'scalar', y },
      ArrayBuffer: { isa: 'simd', y },
      Uint8Array: { isa: 'simd', y },
      'WebAssembly.Module': { isa: 'scalar', y },
      Response: { isa: 'simd', y },
      'record, auto': { isa: 'relaxed-simd', y },
      'record, isa simd': { isa: 'simd', y },
      'function, auto': { isa: 'relaxed-simd', y },
      'wrong MIME type': { isa: 'simd', y },
      'wrong build for the isa': { error: expect.stringMatching(/^init: opts\.wasm \(.*wasmconv-scalar.*\.wasm\) is the scalar build, but isa 'simd' was asked for/) },
      'an HTML page': { error: expect.stringMatching(/^init: opts\.wasm \(.*\/index\.html\) is not a WebAssembly binary \(the server sent text\/html/) },
    });
  });

  it('the page logged no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
