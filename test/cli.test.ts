// The training CLI end to end, on a small slice of the packaged digits: it trains, prints the
// test accuracy, saves the weights, and --eval reloads them to the same accuracy.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagedDigits } from '../src/node/index.js';

const CLI = new URL('../dist/cli/train.js', import.meta.url).pathname;
const run = (args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, WASMCONV_NO_RELAUNCH: '1' } });

describe('wasmconv-train', () => {
  it('--help documents every flag', () => {
    const help = run(['--help']);
    for (const flag of ['--epochs', '--batch', '--lr', '--optimizer', '--seed', '--isa', '--threads', '--data', '--out', '--eval']) expect(help).toContain(flag);
  });

  it('a bad flag is a usage error (exit 2) naming it', () => {
    const r = spawnSync(process.execPath, [CLI, '--optimizer', 'rmsprop'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--optimizer must be sgd or adam, got "rmsprop"');
    const threads = spawnSync(process.execPath, [CLI, '--threads', '0'], { encoding: 'utf8' });
    expect(threads.status).toBe(2);
    expect(threads.stderr).toContain('--threads must be auto or an integer from 1 to 64, got "0"');
  });

  it('trains, saves, and --eval reloads the saved model to the same accuracy', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wasmconv-cli-')), 'm.wasmconv');
    const trained = run(['--train', '1000', '--test', '500', '--epochs', '1', '--batch', '32', '--isa', 'simd', '--optimizer', 'adam', '--no-progress', '--out', out]);
    const accuracy = /test accuracy (\d+\.\d+)% \((\d+)\/500\) after 1 epochs, seed 1, isa simd, \d+ thread\(s\)/.exec(trained);
    expect(accuracy, trained).not.toBeNull();
    expect(Number(accuracy![1])).toBeGreaterThan(70);
    expect(existsSync(out)).toBe(true);
    const evaluated = run(['--eval', out, '--train', '1000', '--test', '500', '--isa', 'scalar']);
    expect(evaluated).toContain(`test accuracy ${accuracy![1]}% (${accuracy![2]}/500)`);
  }, 60_000);

  it('the packaged digits: 10,000 images in [0, 1], the same 8,000 / 2,000 split every time', async () => {
    const a = await packagedDigits();
    expect(a.train.count).toBe(8000);
    expect(a.test.count).toBe(2000);
    expect(a.train.images.length).toBe(8000 * 784);
    expect(Math.max(...a.test.images.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
    const counts = new Array(10).fill(0);
    for (const l of a.train.labels) counts[l]++;
    expect(Math.min(...counts)).toBeGreaterThan(600);
    const b = await packagedDigits();
    expect(b.test.labels).toEqual(a.test.labels);
  });
});
