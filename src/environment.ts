// Which JavaScript environment this is: Node reads files and starts worker_threads, browsers
// fetch and start Web Workers. (src/threads/worker.js, plain JavaScript, asks the same way.)
export const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
