// A user's web page: the worked example from the installed package, bundled by Vite.
import { init, backend, tensor, conv1d, conv1dBackward } from 'wasmconv';

declare global {
  interface Window { result?: unknown }
}

async function main(): Promise<void> {
  await init();
  const x = tensor([1, 2, 3], [1, 1, 3]);
  const w = tensor([0.3, 0.5], [1, 1, 2]);
  const y = conv1d(x, w);
  const { dx, dw, db } = conv1dBackward(tensor([-0.1, 0.2], [1, 1, 2]), x, w);
  const list = (t: { data: Float32Array }) => Array.from(t.data);
  window.result = { isa: backend().isa, threads: backend().threads, y: list(y), dw: list(dw), db: list(db), dx: list(dx) };
  document.getElementById('out')!.textContent = JSON.stringify(window.result);
}

main().catch((error: unknown) => {
  window.result = { error: String(error) };
});
