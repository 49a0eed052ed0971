// docs/tfjs.md's programs run as written, importing the built package by name: the three-line
// set-up, and the complete program, which must print what the page shows under it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const page = readFileSync(new URL('../docs/tfjs.md', import.meta.url), 'utf8');
const setUp = page.slice(page.indexOf('## Set-up'));
const [threeLines, program] = [...setUp.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const printed = /```text\n([\s\S]*?)```/.exec(setUp)?.[1];

/** Runs `code` as an .mjs file inside the package (so `import 'wasmconv/tfjs'` resolves to it); its stdout. */
function runAsFile(name: string, code: string): string {
  const dir = new URL('./artifacts/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(name, dir);
  writeFileSync(file, code);
  return execFileSync(process.execPath, [file.pathname], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('docs/tfjs.md', () => {
  it('the set-up is three lines and runs', () => {
    expect(threeLines.trim().split('\n')).toHaveLength(3);
    expect(runAsFile('tfjs-set-up.mjs', threeLines)).toBe('');
  }, 60_000);

  it('the complete program runs and prints what the page says', () => {
    expect(printed, 'a ```text block after the program').toBeTruthy();
    expect(runAsFile('tfjs-program.mjs', program)).toBe(printed);
  }, 120_000);
});
