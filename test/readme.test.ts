// The README's usage block runs as written (importing the built package by name) and prints
// exactly the output the README shows under it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('the usage example runs and prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const usage = readme.slice(readme.indexOf('## Usage'));
    const code = /```js\n([\s\S]*?)```/.exec(usage)?.[1];
    const printed = /```text\n([\s\S]*?)```/.exec(usage)?.[1];
    expect(code, 'a ```js block under ## Usage').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    // Inside the package, so `import 'wasmconv'` resolves to this package's built entry.
    const dir = new URL('./artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL('readme-example.mjs', dir);
    writeFileSync(file, code!);
    const output = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
    expect(output).toBe(printed);
  });
});

describe('README training example', () => {
  it('runs as written (one epoch instead of eight), saves and reloads the model', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const training = readme.slice(readme.indexOf('## Training'));
    const code = /```js\n([\s\S]*?)```/.exec(training)?.[1];
    expect(code, 'a ```js block under ## Training').toBeTruthy();
    const dir = new URL('./artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const weights = new URL('readme-mnist.wasmconv', dir).pathname;
    expect(code).toContain('epoch < 8');
    const shortened = code!.replace('epoch < 8', 'epoch < 1').replaceAll("'mnist.wasmconv'", JSON.stringify(weights)) +
      "\nconsole.log(accuracy === again.evaluate({ data: test.images, shape: [test.count, 1, 28, 28] }, test.labels).accuracy, accuracy > 0.9);\n";
    const file = new URL('readme-training.mjs', dir);
    writeFileSync(file, shortened);
    const output = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
    expect(output).toBe('true true\n');
  }, 60_000);
});
