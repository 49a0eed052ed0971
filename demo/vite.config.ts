// The demo's Vite config (`npm run demo`: vite build demo, then vite preview demo).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The demo imports 'wasmconv', 'wasmconv/…' by name, as an app would. It lives inside the
 * package, where Vite (unlike Node) does not resolve a package's own name, so those names go
 * through the package.json exports map here, with Node's own resolution: the built dist/ files.
 */
function thisPackage(): Plugin {
  return {
    name: 'wasmconv-by-name',
    enforce: 'pre',
    resolveId(id) {
      if (id === 'wasmconv' || id.startsWith('wasmconv/')) return require.resolve(id);
      return null;
    },
  };
}

/** Digits the in-page training uses: from the project's 8,000 / 2,000 split of the mnist package's digits. */
export const SUBSET = { train: 2000, test: 500 };
const VIRTUAL = 'virtual:mnist-subset';
const FILE = 'mnist-subset.bin';

/**
 * A subset of the `mnist` package's digits, exported when the demo is built (nothing is
 * downloaded): the first SUBSET.train digits of the project's training split and the first
 * SUBSET.test of its test split. Layout: u32 train count, u32 test count (little-endian), then
 * 784 bytes per digit (pixel · 255, rounded; train digits first), then one label byte per digit.
 * `import { url } from 'virtual:mnist-subset'` gives the file's URL.
 */
function mnistSubset(): Plugin {
  let config: ResolvedConfig;
  let bytes: Promise<Uint8Array> | undefined;
  const encode = async (): Promise<Uint8Array> => {
    // the package's Node-only entry, built by npm run build (imported by path: see thisPackage)
    const { packagedDigits } = (await import(require.resolve('wasmconv/node'))) as typeof import('wasmconv/node');
    const { train, test } = await packagedDigits();
    const per = 28 * 28;
    const count = SUBSET.train + SUBSET.test;
    const out = new Uint8Array(8 + count * (per + 1));
    new DataView(out.buffer).setUint32(0, SUBSET.train, true);
    new DataView(out.buffer).setUint32(4, SUBSET.test, true);
    const put = (split: typeof train, n: number, first: number) => {
      for (let i = 0; i < n * per; i++) out[8 + first * per + i] = Math.round(split.images[i] * 255);
      for (let i = 0; i < n; i++) out[8 + count * per + first + i] = split.labels[i];
    };
    put(train, SUBSET.train, 0);
    put(test, SUBSET.test, SUBSET.train);
    return out;
  };
  return {
    name: 'mnist-subset',
    configResolved(resolved) {
      config = resolved;
    },
    resolveId(id) {
      return id === VIRTUAL ? `\0${VIRTUAL}` : null;
    },
    async load(id) {
      if (id !== `\0${VIRTUAL}`) return null;
      bytes ??= encode();
      if (config.command === 'serve') return `export const url = ${JSON.stringify(`/${FILE}`)};`;
      const ref = this.emitFile({ type: 'asset', name: FILE, source: await bytes });
      return `export const url = import.meta.ROLLUP_FILE_URL_${ref};`;
    },
    configureServer(server) {
      server.middlewares.use(`/${FILE}`, (_request, response) => {
        bytes ??= encode();
        bytes.then((b) => response.end(b), (error: Error) => {
          response.statusCode = 500;
          response.end(error.message);
        });
      });
    },
  };
}

// Cross-origin isolation (these two headers, on every response: the page, its scripts, the
// pool's worker script, the .wasm files and the digits) lets the page share memory with Web
// Workers, so init() runs wasmconv's thread pool and training splits each batch across the
// cores; served without them, the page runs on one thread and says why. It also gives
// performance.now() its fine resolution (5 µs rather than 100 µs), so single-image inference
// times are measured, not rounded away. Every resource the page loads is same-origin, so
// require-corp blocks none of them.
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [thisPackage(), mnistSubset()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { headers },
  preview: { headers, host: '127.0.0.1' },
});
