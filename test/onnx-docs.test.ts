// docs/onnx.md's usage example runs as written (importing the built package by name) and prints
// exactly the output the page shows under it.
import { describe, expect, it } from 'vitest';
import { firstBlocks, runModule, sectionOf } from './helpers/doc-blocks.js';

describe('docs/onnx.md', () => {
  it('the usage example runs and prints what the page says', () => {
    const { code, printed } = firstBlocks(sectionOf('docs/onnx.md', '## Usage'));
    expect(code, 'a ```js block under ## Usage').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    expect(runModule('onnx-example.mjs', code!)).toBe(printed);
  }, 60_000);
});
