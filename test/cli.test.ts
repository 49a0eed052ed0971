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
    for (const flag of ['--model', '--epochs', '--batch', '--lr', '--warmup', '--optimizer', '--nesterov', '--weight-decay', '--label-smoothing', '--clip', '--augment', '--seed', '--isa', '--threads', '--data', '--train', '--test', '--out', '--eval']) expect(help).toContain(flag);
  });

  it('a bad flag is a usage error (exit 2) naming it', () => {
    const r = spawnSync(process.execPath, [CLI, '--optimizer', 'rmsprop'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--optimizer must be sgd, adam or adamw, got "rmsprop"');
    const nesterov = spawnSync(process.execPath, [CLI, '--optimizer', 'adam', '--nesterov'], { encoding: 'utf8' });
    expect(nesterov.status).toBe(2);
    expect(nesterov.stderr).toContain('--nesterov goes with --optimizer sgd, not adam');
    const warmup = spawnSync(process.execPath, [CLI, '--epochs', '2', '--warmup', '2'], { encoding: 'utf8' });
    expect(warmup.status).toBe(2);
    expect(warmup.stderr).toContain('--warmup must be an integer from 0 to 1 (less than --epochs), got "2"');
    const smoothing = spawnSync(process.execPath, [CLI, '--label-smoothing', '1'], { encoding: 'utf8' });
    expect(smoothing.status).toBe(2);
    expect(smoothing.stderr).toContain('--label-smoothing must be in [0, 1), got "1"');
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

  it('--data fashion trains on Fashion-MNIST with AdamW, warm-up, label smoothing, clipping and augmentation', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wasmconv-cli-')), 'f.wasmconv');
    const trained = run([
      '--data', 'fashion', '--train', '3000', '--test', '1000', '--epochs', '2', '--warmup', '1', '--optimizer', 'adamw', '--lr', '0.003',
      '--label-smoothing', '0.1', '--clip', '5', '--augment', '--isa', 'simd', '--no-progress', '--out', out,
    ]);
    expect(trained).toContain("data: the fashion-mnist package's 70000 images (first 6000 of each class: 60000 train / 10000 test), training on 3000 of them");
    expect(trained).toMatch(/optimizer: adamw lr 0\.003 \(1 warm-up epochs, then cosine decay\), weight decay 0\.01, label smoothing 0\.1, gradients clipped to norm 5, augmented/);
    const accuracy = /test accuracy (\d+\.\d+)% \((\d+)\/1000\) after 2 epochs/.exec(trained);
    expect(accuracy, trained).not.toBeNull();
    // ten classes: chance is 10 %; two short epochs on 3,000 images reach well past it
    expect(Number(accuracy![1])).toBeGreaterThan(60);
    const evaluated = run(['--eval', out, '--data', 'fashion', '--test', '1000', '--isa', 'scalar']);
    expect(evaluated).toContain(`test accuracy ${accuracy![1]}% (${accuracy![2]}/1000)`);
  }, 120_000);

  it('--model resnet20 trains the ResNet-20 Graph, saves it, and --eval reloads it to the same accuracy', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wasmconv-cli-')), 'r.wasmconv');
    const trained = run(['--model', 'resnet20', '--train', '512', '--test', '200', '--epochs', '1', '--batch', '32', '--isa', 'simd', '--threads', '1', '--no-progress', '--out', out]);
    expect(trained).toContain('model: ResNet-20');
    expect(trained).toContain('(272186 parameters)');
    const accuracy = /test accuracy (\d+\.\d+)% \((\d+)\/200\) after 1 epochs/.exec(trained);
    expect(accuracy, trained).not.toBeNull();
    const evaluated = run(['--eval', out, '--train', '512', '--test', '200', '--isa', 'simd', '--threads', '1']);
    expect(evaluated).toContain(`test accuracy ${accuracy![1]}% (${accuracy![2]}/200)`);
    const bad = spawnSync(process.execPath, [CLI, '--model', 'vgg'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--model must be lenet, resnet20 or mobilenetv2, got "vgg"');
  }, 120_000);

  it('--model mobilenetv2 trains the MobileNetV2 Graph, saves it, and --eval reloads it to the same accuracy', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wasmconv-cli-')), 'm.wasmconv');
    const trained = run(['--model', 'mobilenetv2', '--train', '512', '--test', '200', '--epochs', '1', '--batch', '32', '--isa', 'simd', '--threads', '1', '--no-progress', '--out', out]);
    expect(trained).toContain('model: MobileNetV2-small');
    expect(trained).toContain('(209674 parameters)');
    const accuracy = /test accuracy (\d+\.\d+)% \((\d+)\/200\) after 1 epochs/.exec(trained);
    expect(accuracy, trained).not.toBeNull();
    const evaluated = run(['--eval', out, '--train', '512', '--test', '200', '--isa', 'simd', '--threads', '1']);
    expect(evaluated).toContain(`test accuracy ${accuracy![1]}% (${accuracy![2]}/200)`);
  }, 120_000);

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
