// The README's code blocks run as written (importing the built package by name): the usage
// block, the Graph example and the TensorFlow.js set-up print what the README shows; the
// training example trains (one epoch), saves and reloads.
import { describe, expect, it } from 'vitest';
import { firstBlocks, runModule, sectionOf } from './helpers/doc-blocks.js';

describe('README', () => {
  it('the usage example runs and prints what the README says', () => {
    const { code, printed } = firstBlocks(sectionOf('README.md', '## Usage'));
    expect(code, 'a ```js block under ## Usage').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    expect(runModule('readme-example.mjs', code!)).toBe(printed);
  });
});

describe('README training example', () => {
  it('runs as written (one epoch instead of eight), saves and reloads the model', () => {
    const { code } = firstBlocks(sectionOf('README.md', '## Training'));
    expect(code, 'a ```js block under ## Training').toBeTruthy();
    const weights = new URL('./artifacts/readme-mnist.wasmconv', import.meta.url).pathname;
    expect(code).toContain('epoch < 8');
    const shortened = code!.replace('epoch < 8', 'epoch < 1').replaceAll("'mnist.wasmconv'", JSON.stringify(weights)) +
      "\nconsole.log(accuracy === again.evaluate({ data: test.images, shape: [test.count, 1, 28, 28] }, test.labels).accuracy, accuracy > 0.9);\n";
    expect(runModule('readme-training.mjs', shortened)).toBe('true true\n');
  }, 60_000);
});

describe('README graph example', () => {
  it('runs and prints what the README says', () => {
    const { code, printed } = firstBlocks(sectionOf('README.md', '## Residual networks'));
    expect(code, 'a ```js block under ## Residual networks').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    expect(runModule('readme-graph.mjs', code!)).toBe(printed);
  }, 60_000);
});

describe('README TensorFlow.js set-up', () => {
  it('is three lines and runs (registering the kernels, printing nothing)', () => {
    const { code } = firstBlocks(sectionOf('README.md', '## TensorFlow.js models'));
    expect(code?.trim().split('\n'), 'three lines of set-up').toHaveLength(3);
    // tfjs-cpu's own Conv2DBackpropFilter before the set-up (imports are hoisted, so this line
    // runs before the block's statements), then whether the set-up replaced it
    const before = "import * as tfjs from '@tensorflow/tfjs';\nconst before = tfjs.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc;\n";
    const after = "console.log(tf.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc !== before);\n";
    expect(runModule('readme-tfjs.mjs', before + code + after, { quiet: true })).toBe('true\n');
  }, 60_000);
});
