// docs/graph.md's residual-block example runs as written (importing the built package by name)
// and prints exactly the output the page shows under it.
import { describe, expect, it } from 'vitest';
import { firstBlocks, runModule, sectionOf } from './helpers/doc-blocks.js';

describe('docs/graph.md', () => {
  it('the residual-block example runs and prints what the page says', () => {
    const { code, printed } = firstBlocks(sectionOf('docs/graph.md', '## A residual block, trained'));
    expect(code, 'a ```js block under ## A residual block, trained').toBeTruthy();
    expect(printed, 'a ```text block after it').toBeTruthy();
    expect(runModule('graph-example.mjs', code!)).toBe(printed);
  }, 60_000);
});
