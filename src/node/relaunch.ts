// Node 20 validates relaxed SIMD only behind --experimental-wasm-relaxed-simd. Programs that
// want every ISA call this first: if the engine lacks relaxed SIMD and this process was not
// started with the flag, it reruns itself with the flag and exits with the rerun's status.
// Where Node does not know the flag (exit 9, "bad option"), it carries on without it.
import { spawnSync } from 'node:child_process';
import { isaSupported } from '../isa.js';

const FLAG = '--experimental-wasm-relaxed-simd';

export function relaunchWithRelaxedSimd(): void {
  if (isaSupported('relaxed-simd') || process.execArgv.includes(FLAG) || process.env.WASMCONV_NO_RELAUNCH) return;
  const child = spawnSync(process.execPath, [FLAG, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, WASMCONV_NO_RELAUNCH: '1' },
  });
  if (child.status === 9) return; // this Node does not know the flag
  process.exit(child.status ?? 1);
}
