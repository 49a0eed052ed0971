// What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded
// browser), the package "installed" the way npm would install it, and a page bundled by Vite's
// production build and served by `vite preview` (or Vite's dev server) on 127.0.0.1 at a free port.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createLogger, createServer, preview, type Plugin, type PreviewServer, type ViteDevServer } from 'vite';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(REPO, 'test/artifacts');

/**
 * The headers that make a page cross-origin isolated, which wasmconv's threads need
 * (SharedArrayBuffer); demo/vite.config.ts serves the demo with the same two.
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export const CHROMIUM = process.env.WASMCONV_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Launches Chromium, or fails saying how to install it: the browser tests are never skipped. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}, which is missing. Install Debian's package ` +
        '(sudo apt-get update && sudo apt-get install -y chromium), or point WASMCONV_CHROMIUM at a ' +
        'Chromium or Chrome binary. Nothing is downloaded by the tests.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Copies the built package (package.json and its "files": dist, src, build/*.wasm) into
 * `dir/node_modules/wasmconv`, as `npm install` would place it: the page then imports
 * 'wasmconv' as any user's app does, through the exports map, from a node_modules folder.
 */
export function installPackage(dir: string): void {
  const target = join(dir, 'node_modules/wasmconv');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
  cpSync(join(REPO, 'package.json'), join(target, 'package.json'));
  for (const entry of pkg.files) {
    const star = entry.indexOf('*');
    if (star < 0) {
      cpSync(join(REPO, entry), join(target, entry), { recursive: true });
      continue;
    }
    // 'build/*.wasm': the files of one folder ending in the suffix
    const folder = dirname(entry);
    const suffix = entry.slice(star + 1);
    mkdirSync(join(target, folder), { recursive: true });
    const found = readdirSync(join(REPO, folder)).filter((name) => name.endsWith(suffix));
    if (found.length === 0) throw new Error(`no ${entry} to install: run npm run build first`);
    for (const name of found) cpSync(join(REPO, folder, name), join(target, folder, name));
  }
}

export interface ServedBundle {
  url: string;
  outDir: string;
  /** every warning Vite or Rollup printed while building */
  warnings: string[];
  close(): Promise<void>;
}

export interface AppOptions {
  /** the app's folder (its index.html) */
  root: string;
  /** the app's own Vite config, if it has one (else none is read) */
  configFile?: string;
  plugins?: Plugin[];
  /** esbuild's syntax target for the build (Vite's default if not given) */
  target?: string;
  /** response headers for `vite preview` (beyond those of the app's config file) */
  headers?: Record<string, string>;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** `vite build` of the app into test/artifacts/<name>, then `vite preview` of it on 127.0.0.1. */
export async function buildAndServe(name: string, { root, configFile, plugins = [], target, headers }: AppOptions): Promise<ServedBundle> {
  const outDir = join(ARTIFACTS, name);
  const warnings: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  const warn = logger.warn.bind(logger);
  logger.warn = (message, options) => {
    warnings.push(message);
    warn(message, options);
  };
  logger.warnOnce = logger.warn;
  await build({
    configFile: configFile ?? false,
    root,
    logLevel: 'warn',
    customLogger: logger,
    plugins,
    build: {
      outDir,
      emptyOutDir: true,
      ...(target ? { target } : {}),
      // Vite's own handler drops CIRCULAR_DEPENDENCY (its warningIgnoreList), so a user's build
      // never shows one; protobufjs (onnx-proto's runtime) has a harmless one inside its util.
      rollupOptions: { onwarn: (warning) => void (warning.code === 'CIRCULAR_DEPENDENCY' || warnings.push(warning.message)) },
    },
  });
  const served = await previewBuilt(outDir, { root, configFile, plugins, headers });
  return { ...served, outDir, warnings };
}

/**
 * `vite preview` of an app already built into `outDir`. Without a config file, no header is
 * sent but `headers`: `previewBuilt(bundle.outDir, { root })` serves a page not cross-origin isolated.
 */
export async function previewBuilt(outDir: string, { root, configFile, plugins = [], headers }: Omit<AppOptions, 'target'>): Promise<Served> {
  let server: PreviewServer | null = await preview({
    configFile: configFile ?? false,
    root,
    logLevel: 'warn',
    plugins,
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false, ...(headers ? { headers } : {}) },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return {
    url,
    async close() {
      await server?.close();
      server = null;
    },
  };
}

/** Vite's dev server (`vite <root>`) on 127.0.0.1 at a free port, with the app's config file. */
export async function serveDev({ root, configFile }: Pick<AppOptions, 'root' | 'configFile'>): Promise<Served> {
  let server: ViteDevServer | null = await createServer({
    configFile: configFile ?? false,
    root,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, open: false, hmr: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the Vite dev server did not report a URL');
  return {
    url,
    async close() {
      await server?.close();
      server = null;
    },
  };
}

/**
 * What is wrong with a built app that imports wasmconv: Vite's warnings, a Node built-in (or
 * the stub Vite puts in its place, which throws "externalized for browser compatibility"), a
 * kernel binary missing from the assets (new URL(…, import.meta.url) not followed: the three
 * single-thread builds and the three -threads builds), or the thread pool's worker script not
 * bundled (`new Worker(new URL('./worker.js', import.meta.url))` must point at an emitted file,
 * protocol.js bundled into it).
 */
export function bundleProblems(bundle: ServedBundle): string[] {
  const problems = bundle.warnings.map((w) => `warning: ${w}`);
  const assets = readdirSync(join(bundle.outDir, 'assets'));
  for (const isa of ['scalar', 'simd', 'relaxed-simd']) {
    for (const build of [isa, `${isa}-threads`]) {
      // Vite's file hashes are 8 characters of [A-Za-z0-9_-]
      if (!assets.some((name) => new RegExp(`^wasmconv-${build}-[\\w-]{8}\\.wasm$`).test(name))) problems.push(`no ${build} binary among ${assets.join(', ')}`);
    }
  }
  const scripts = assets.filter((name) => name.endsWith('.js'));
  if (scripts.length === 0) problems.push('no script in the bundle');
  const workers = scripts.flatMap((name) => {
    const code = readFileSync(join(bundle.outDir, 'assets', name), 'utf8');
    return Array.from(code.matchAll(/new Worker\(new URL\("([^"]+)"/g), (m) => m[1].split('/').pop()!);
  });
  if (workers.length === 0) problems.push('no new Worker(new URL(…)) in the bundle: the thread pool\'s worker was not bundled');
  for (const worker of new Set(workers)) {
    if (!scripts.includes(worker)) {
      problems.push(`the bundle starts a worker from ${worker}, which is not among the assets`);
      continue;
    }
    const code = readFileSync(join(bundle.outDir, 'assets', worker), 'utf8');
    // protocol.js bundled in (no import of another file), and the worker's message handler there
    if (/\bimport\s*[{*\w]|\bimport\s*["']/.test(code)) problems.push(`the worker ${worker} imports another file: protocol.js not bundled into it`);
    if (!code.includes('Atomics.wait') || !code.includes('addEventListener("message"')) problems.push(`the worker ${worker} is not the pool's worker`);
  }
  for (const name of scripts) {
    const code = readFileSync(join(bundle.outDir, 'assets', name), 'utf8');
    const found = /externalized for browser compatibility|__vite-browser-external|from\s*["']node:[\w/]+["']|import\(\s*["']node:|require\(["']node:/.exec(code);
    if (found) problems.push(`${name} pulls in a Node built-in: …${code.slice(Math.max(0, found.index - 60), found.index + 60)}…`);
  }
  return problems;
}

/** Collects a page's uncaught errors and console errors, so a test can assert there were none. */
export function watchPage(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon\.ico/.test(message.location().url)) errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}
