// The code blocks of a Markdown page that the docs tests run as written: the first ```js block
// under a heading and the ```text block after it (what it must print), and a runner that writes
// the code into test/artifacts (inside the package, so `import 'wasmconv'` resolves to this
// package's built entry) and returns its stdout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The page's text from `heading` on (`page` relative to the repo root, e.g. 'docs/graph.md'). */
export function sectionOf(page: string, heading: string): string {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
  return text.slice(text.indexOf(heading));
}

/** The first ```js block of a section and the first ```text block (undefined where missing). */
export function firstBlocks(section: string): { code?: string; printed?: string } {
  return { code: /```js\n([\s\S]*?)```/.exec(section)?.[1], printed: /```text\n([\s\S]*?)```/.exec(section)?.[1] };
}

/** Runs `code` as test/artifacts/<name> with Node; its stdout (stderr ignored when `quiet`). */
export function runModule(name: string, code: string, { quiet = false } = {}): string {
  const dir = new URL('../artifacts/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(name, dir);
  writeFileSync(file, code);
  return execFileSync(process.execPath, [file.pathname], { encoding: 'utf8', ...(quiet ? { stdio: ['ignore', 'pipe', 'ignore'] as const } : {}) });
}
