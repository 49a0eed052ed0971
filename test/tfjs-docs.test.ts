// docs/tfjs.md's programs run as written, importing the built package by name: the three-line
// set-up, the complete program and the wasm backend's set-up, which must print what the page
// shows under them.
import { describe, expect, it } from 'vitest';
import { runModule, sectionOf } from './helpers/doc-blocks.js';

const setUp = sectionOf('docs/tfjs.md', '## Set-up');
const setUpSection = setUp.slice(0, setUp.indexOf('\n## ', 1));
const [threeLines, program, wasmProgram] = [...setUpSection.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const [printed, wasmPrinted] = [...setUpSection.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs `code` as an .mjs file inside the package (so `import 'wasmconv/tfjs'` resolves to it); its stdout. */
const runAsFile = (name: string, code: string): string => runModule(name, code, { quiet: true });

describe('docs/tfjs.md', () => {
  it('the set-up is three lines and runs', () => {
    expect(threeLines.trim().split('\n')).toHaveLength(3);
    expect(runAsFile('tfjs-set-up.mjs', threeLines)).toBe('');
  }, 60_000);

  it('the complete program runs and prints what the page says', () => {
    expect(printed, 'a ```text block after the program').toBeTruthy();
    expect(runAsFile('tfjs-program.mjs', program)).toBe(printed);
  }, 120_000);

  it('the wasm backend set-up runs and prints what the page says', () => {
    expect(wasmPrinted, 'a ```text block after the wasm set-up').toBeTruthy();
    expect(runAsFile('tfjs-wasm-set-up.mjs', wasmProgram)).toBe(wasmPrinted);
  }, 60_000);
});
