// docs/onnx.md's usage example runs as written (importing the built package by name) and prints
// exactly the output the page shows under it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('docs/onnx.md', () => {
  it('the usage example runs and prints what the page says', () => {
    const page = readFileSync(new URL('../docs/onnx.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Usage'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    const printed = /```text\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'a ```js block under ## Usage').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    // Inside the package, so `import 'wasmconv'` resolves to this package's built entry.
    const dir = new URL('./artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL('onnx-example.mjs', dir);
    writeFileSync(file, code!);
    const output = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
    expect(output).toBe(printed);
  }, 60_000);
});
