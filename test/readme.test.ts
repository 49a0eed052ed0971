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

describe('README graph example', () => {
  it('runs and prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Residual networks'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    const printed = /```text\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'a ```js block under ## Residual networks').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    const dir = new URL('./artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL('readme-graph.mjs', dir);
    writeFileSync(file, code!);
    expect(execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' })).toBe(printed);
  }, 60_000);
});

describe('README TensorFlow.js set-up', () => {
  it('is three lines and runs (registering the kernels, printing nothing)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## TensorFlow.js models'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code?.trim().split('\n'), 'three lines of set-up').toHaveLength(3);
    const dir = new URL('./artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL('readme-tfjs.mjs', dir);
    // tfjs-cpu's own Conv2DBackpropFilter before the set-up (imports are hoisted, so this line
    // runs before the block's statements), then whether the set-up replaced it
    const before = "import * as tfjs from '@tensorflow/tfjs';\nconst before = tfjs.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc;\n";
    const after = "console.log(tf.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc !== before);\n";
    writeFileSync(file, before + code + after);
    const printed = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(printed).toBe('true\n');
  }, 60_000);
});
