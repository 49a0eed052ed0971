// How the main thread and the pool's workers talk, in plain JavaScript because a worker runs
// this file as it is (Node cannot start a worker from TypeScript source). Everything lives in
// one SharedArrayBuffer (the control block) plus the Wasm memory both sides share:
//   - the main thread writes a worker's task, a "tape" of kernel calls, into Wasm memory,
//     stores its place in the worker's slot, bumps the slot's TASK counter and wakes it;
//   - the worker replays its tape against its own instance of the kernels (same memory), then
//     copies TASK to DONE and wakes the main thread;
//   - a failure is reported in the worker's slot (state and message), never as a silent hang.

/** Int32 slots per worker, starting at SLOT_BASE: */
const SLOT_BASE = 0;
const SLOT_INTS = 8;
/** the number of the worker's latest task (counts up from 0); SHUTDOWN tells it to exit */
export const TASK = 0;
export const SHUTDOWN = -1;
/** the number of the last task the worker finished */
export const DONE = 5;
/** STATE_OK, STATE_FAILED (the last task threw; message set) or STATE_STOPPED (the worker is gone) */
export const STATE = 1;
/** byte offset of the worker's tape in Wasm memory, and its length in f64 entries (0: no task) */
export const TAPE_PTR = 2;
export const TAPE_LENGTH = 3;
export const MESSAGE_BYTES = 4;

export const STATE_OK = 0;
export const STATE_FAILED = 1;
export const STATE_STOPPED = 2;

const MESSAGE_CAPACITY = 1024;

/** The Int32 index of field `field` of worker `worker`'s slot. */
export const slot = (worker, field) => SLOT_BASE + worker * SLOT_INTS + field;

/** Bytes of a control block for `workers` workers. */
export function controlBytes(workers) {
  return (SLOT_BASE + workers * SLOT_INTS) * 4 + workers * MESSAGE_CAPACITY;
}

const messageOffset = (workers, worker) => (SLOT_BASE + workers * SLOT_INTS) * 4 + worker * MESSAGE_CAPACITY;

/** Stores a failure message for `worker` (truncated to the slot's capacity). */
export function writeMessage(control, workers, worker, text) {
  const bytes = new TextEncoder().encode(text).subarray(0, MESSAGE_CAPACITY);
  new Uint8Array(control.buffer, messageOffset(workers, worker), bytes.length).set(bytes);
  Atomics.store(control, slot(worker, MESSAGE_BYTES), bytes.length);
}

export function readMessage(control, workers, worker) {
  const length = Atomics.load(control, slot(worker, MESSAGE_BYTES));
  // copied out first: TextDecoder refuses views of shared memory
  return new TextDecoder().decode(new Uint8Array(control.buffer, messageOffset(workers, worker), length).slice());
}

/**
 * Replays a tape: entries [function index, argument count, ...arguments] one after another.
 * `functions` maps an index to the kernel export it names. The arguments are passed straight
 * from the tape, not through an array and a spread: a worker replays hundreds of calls per op,
 * and the spread form ran a small conv's slice 1.5× slower than the calling thread ran it.
 */
export function replay(functions, tape) {
  let at = 0;
  while (at < tape.length) {
    const fn = functions[tape[at]];
    const count = tape[at + 1];
    const a = at + 2;
    const t = tape;
    switch (count) {
      case 0: fn(); break;
      case 1: fn(t[a]); break;
      case 2: fn(t[a], t[a + 1]); break;
      case 3: fn(t[a], t[a + 1], t[a + 2]); break;
      case 4: fn(t[a], t[a + 1], t[a + 2], t[a + 3]); break;
      case 5: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4]); break;
      case 6: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5]); break;
      case 7: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6]); break;
      case 8: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7]); break;
      case 9: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8]); break;
      case 10: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9]); break;
      case 11: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10]); break;
      case 12: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11]); break;
      case 13: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12]); break;
      case 14: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13]); break;
      case 15: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14]); break;
      case 16: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14], t[a + 15]); break;
      case 17: fn(t[a], t[a + 1], t[a + 2], t[a + 3], t[a + 4], t[a + 5], t[a + 6], t[a + 7], t[a + 8], t[a + 9], t[a + 10], t[a + 11], t[a + 12], t[a + 13], t[a + 14], t[a + 15], t[a + 16]); break;
      default: fn(...t.subarray(a, a + count)); // no kernel takes more than 17
    }
    at = a + count;
  }
}
