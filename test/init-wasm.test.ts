// init({ wasm }): the user's own binary as a path, URL, bytes, Module or Response, a record of
// them by ISA, or a function of the ISA; each form loads and computes, the ISA is read from (and
// checked against) the binary, and every bad value is a clear Error after which the library
// still works. HTTP cases use a local server, one route sending the wrong MIME type.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, conv1d, conv2d, init, tensor, type WasmOption } from '../src/index.js';
import { isaSupported } from '../src/isa.js';

const fileUrl = (isa: string) => new URL(`../build/wasmconv-${isa}.wasm`, import.meta.url);
const bytes = (isa: string) => readFileSync(fileUrl(isa));
const Y = [Math.fround(1.3), Math.fround(2.1)];
/** The README's worked example on whatever init() loaded. */
const workedExample = () => Array.from(conv1d(tensor([1, 2, 3], [1, 1, 3]), tensor([0.3, 0.5], [1, 1, 2])).data);

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const routes: Record<string, [number, string, Buffer | string]> = {
      '/simd.wasm': [200, 'application/wasm', bytes('simd')],
      '/octet/scalar.wasm': [200, 'application/octet-stream', bytes('scalar')],
      '/page.html': [200, 'text/html', '<!doctype html><title>not wasm</title>'],
    };
    const [status, type, body] = routes[request.url ?? ''] ?? [404, 'text/plain', 'not found'];
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function loads(wasm: WasmOption, isa: string, opts: { isa?: 'auto' | 'scalar' | 'simd' } = {}) {
  await init({ ...opts, wasm });
  expect(backend().isa).toBe(isa);
  expect(workedExample()).toEqual(Y);
}

describe('init({ wasm }): each form loads', () => {
  it('a path, relative to the working directory or absolute', async () => {
    await loads('build/wasmconv-scalar.wasm', 'scalar');
    await loads(fileUrl('simd').pathname, 'simd');
  });

  it('a file: URL, as a URL or a string', async () => {
    await loads(fileUrl('scalar'), 'scalar');
    await loads(fileUrl('simd').href, 'simd');
  });

  it('an http URL, streamed; with the wrong MIME type, compiled whole', async () => {
    await loads(`${origin}/simd.wasm`, 'simd');
    await expect(WebAssembly.compileStreaming(fetch(`${origin}/octet/scalar.wasm`))).rejects.toThrow(/MIME|content-type|application\/wasm/i);
    await loads(new URL('/octet/scalar.wasm', origin), 'scalar');
  });

  it('bytes: an ArrayBuffer, a Uint8Array that is a window into a larger buffer, a Node Buffer', async () => {
    const simd = bytes('simd');
    await loads(simd.buffer.slice(simd.byteOffset, simd.byteOffset + simd.byteLength), 'simd');
    const padded = new Uint8Array(simd.length + 24);
    padded.set(simd, 8);
    await loads(padded.subarray(8, 8 + simd.length), 'simd');
    await loads(bytes('scalar'), 'scalar');
  });

  it('a compiled WebAssembly.Module and a fetch Response', async () => {
    await loads(new WebAssembly.Module(bytes('scalar')), 'scalar');
    await loads(new Response(bytes('simd'), { headers: { 'content-type': 'application/wasm' } }), 'simd');
    await loads(await fetch(`${origin}/octet/scalar.wasm`), 'scalar');
  });

  it('a record by ISA: auto takes the best one the engine validates, isa takes its entry', async () => {
    const record = { 'relaxed-simd': fileUrl('relaxed-simd'), simd: fileUrl('simd'), scalar: bytes('scalar') };
    await loads(record, isaSupported('relaxed-simd') ? 'relaxed-simd' : 'simd');
    await loads(record, 'scalar', { isa: 'scalar' });
    await loads({ scalar: bytes('scalar') }, 'scalar');
  });

  it('a function of the ISA, sync or async, called with the ISA chosen', async () => {
    const asked: string[] = [];
    await loads((isa) => (asked.push(isa), fileUrl(isa)), isaSupported('relaxed-simd') ? 'relaxed-simd' : 'simd');
    await loads(async (isa) => (asked.push(isa), bytes(isa)), 'scalar', { isa: 'scalar' });
    expect(asked).toEqual([isaSupported('relaxed-simd') ? 'relaxed-simd' : 'simd', 'scalar']);
  });

  it('the same source again reuses its instance (memory kept); a different one loads afresh', async () => {
    const module = new WebAssembly.Module(bytes('simd'));
    await init({ wasm: module });
    conv2d(tensor(new Float32Array(4 * 64 * 64), [1, 4, 64, 64]), tensor(new Float32Array(8 * 4 * 9), [8, 4, 3, 3]));
    const grown = backend().memoryBytes;
    expect(grown).toBeGreaterThan(65536);
    await init({ isa: 'scalar' });
    await init({ wasm: module });
    expect(backend().memoryBytes).toBe(grown);
    await init({ wasm: new WebAssembly.Module(bytes('simd')) });
    expect(backend().memoryBytes).toBeLessThan(grown);
    await init({ isa: 'simd' }); // the package's own binary again
    expect(backend().memoryBytes).toBeLessThan(grown);
    expect(workedExample()).toEqual(Y);
  });
});

describe('init({ wasm }): bad values are clear Errors, and the library keeps working', () => {
  const SOURCE_RULE = 'a URL or string, bytes \\(ArrayBuffer or Uint8Array\\), a WebAssembly.Module or a Response';
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    ['a number', () => init({ wasm: 42 as never }), new RegExp(`^init: opts.wasm must be ${SOURCE_RULE}; a record of those by ISA \\('relaxed-simd', 'simd', 'scalar'\\); or a function of the ISA returning one; got number 42$`)],
    ['an Array', () => init({ wasm: [1, 2] as never }), /^init: opts\.wasm must be .*; got an Array of length 2$/],
    ['null', () => init({ wasm: null as never }), /^init: opts\.wasm must be .*; got null$/],
    ['a record key that is no ISA', () => init({ wasm: { sims: bytes('simd') } as never }), /^init: opts\.wasm has a key "sims"; a record's keys must be ISAs: 'relaxed-simd', 'simd', 'scalar'$/],
    ['a record value that is no source', () => init({ wasm: { simd: 3 } as never }), new RegExp(`^init: opts.wasm\\['simd'\\] is number 3; it must be ${SOURCE_RULE}$`)],
    ['a record without the ISA asked for', () => init({ isa: 'simd', wasm: { scalar: bytes('scalar') } }), /^init: isa 'simd' was asked for but opts\.wasm has no build for it \(it has scalar\)$/],
    ['a function returning nothing', () => init({ wasm: () => undefined as never }), new RegExp(`^init: opts.wasm\\('(relaxed-)?simd'\\) returned undefined; it must return ${SOURCE_RULE}$`)],
    ['a function that throws', () => init({ wasm: () => { throw new Error('no CDN today'); } }), /^no CDN today$/],
    ['the scalar build for isa simd', () => init({ isa: 'simd', wasm: bytes('scalar') }), /^init: opts\.wasm is the scalar build, but isa 'simd' was asked for; pass build\/wasmconv-simd\.wasm for it$/],
    ['the simd build under the scalar key', () => init({ isa: 'scalar', wasm: { scalar: fileUrl('simd') } }), /^init: opts\.wasm\['scalar'\] \(file:.*wasmconv-simd\.wasm\) is the simd build, but isa 'scalar' was asked for/],
    ['bytes that are not WebAssembly', () => init({ wasm: new TextEncoder().encode('<!doctype html>') }), /^init: opts\.wasm is not a WebAssembly binary \(15 bytes starting "<!doctype html>"\)$/],
    ['a module that is not wasmconv', () => init({ wasm: new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])) }), /^init: opts\.wasm is not a wasmconv kernel binary of this version: it lacks the exports memory, heap_base, kernel_isa, …; pass one of this package's build\/wasmconv-\*\.wasm files$/],
    ['a missing file', () => init({ wasm: 'build/nope.wasm' }), /^init: opts\.wasm \(file:.*\/build\/nope\.wasm\): could not read .*\/build\/nope\.wasm: ENOENT/],
    ['an HTTP 404', () => init({ wasm: `${origin}/missing.wasm` }), /^init: opts\.wasm \(http:\/\/127\.0\.0\.1:\d+\/missing\.wasm\): HTTP 404 Not Found$/],
    ['an HTML page', () => init({ wasm: `${origin}/page.html` }), /^init: opts\.wasm \(http:.*\/page\.html\) is not a WebAssembly binary \(the server sent text\/html, 38 bytes starting "<!doctype html><"\): is the \.wasm file served at that URL\? \(With Vite's dev server, add optimizeDeps: \{ exclude: \['wasmconv'\] \}/],
    ['an unknown init option', () => init({ wsam: bytes('simd') } as never), /^init: unknown option "wsam"; init takes isa, wasm, threads$/],
  ];
  if (!isaSupported('relaxed-simd')) {
    cases.push(
      ['the relaxed-simd build where the engine lacks it', () => init({ wasm: fileUrl('relaxed-simd') }), /^init: opts\.wasm \(file:.*wasmconv-relaxed-simd\.wasm\) does not compile here \(.*\); this engine validates simd, scalar: is it the build of an instruction set the engine lacks\?$/],
      ['isa relaxed-simd where the engine lacks it', () => init({ isa: 'relaxed-simd', wasm: fileUrl('relaxed-simd') }), /^init: this engine does not support isa 'relaxed-simd'/],
      ['a record of only builds the engine lacks', () => init({ wasm: { 'relaxed-simd': fileUrl('relaxed-simd') } }), /^init: opts\.wasm has builds for relaxed-simd only, and this engine supports simd, scalar$/],
    );
  }
  for (const [name, run, message] of cases) {
    it(name, async () => {
      await init({ isa: 'scalar' });
      await expect(run()).rejects.toThrow(message);
      expect(backend().isa).toBe('scalar'); // unchanged
      expect(workedExample()).toEqual(Y);
    });
  }
});
