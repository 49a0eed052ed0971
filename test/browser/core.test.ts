// The package in Chromium: bundled by Vite's production build exactly as a user's app imports it
// (from node_modules, through the exports map), served over HTTP, and checked in the page against
// the JS reference on every ISA the browser validates, with the Node suite's checker and bound.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreResult } from './core-page/main.js';
import { bundleProblems, buildAndServe, installPackage, launchChromium, REPO, watchPage, type ServedBundle } from './harness.js';

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

beforeAll(async () => {
  browser = await launchChromium();
  installPackage(PAGE);
  // ES2020 has no top-level await, which esbuild cannot lower: the build fails if the library or
  // anything it imports uses one (DESIGN.md: it breaks some bundlers).
  bundle = await buildAndServe('browser-core', { root: PAGE, plugins: [helpersUseThePackage, octetStreamWasm], target: 'es2020' });
  page = await browser.newPage();
  pageErrors = watchPage(page);
  await page.goto(bundle.url);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
});

afterAll(async () => {
  await browser?.close();
  await bundle?.close();
});

describe('Vite production bundle', () => {
  it('builds for ES2020 (so no top-level await) without warnings, with no Node built-in, and emits the three binaries from new URL(…, import.meta.url)', () => {
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

  it(`table cases and ${RUNS} seeded fast-check runs per property agree with the JS reference on every ISA`, async () => {
    const supported = await page.evaluate(() => window.wasmconvTest.autoInit().then((info) => info.supported));
    const results: CoreResult[] = [];
    for (const isa of supported) {
      results.push(await page.evaluate(([isa, runs, seed]) => window.wasmconvTest.runCore(isa, runs, seed), [isa, RUNS, SEED] as const));
    }
    for (const r of results) {
      console.log(`browser isa ${r.isa}: ${r.tableCases} table cases + ${r.fuzzCases} fuzz cases (seed ${SEED}); worst error ${r.worstUlps.toFixed(2)} units of roundoff`);
    }
    expect(results.map((r) => r.isa)).toEqual(supported);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
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
