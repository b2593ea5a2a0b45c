// Node entry: proofs run in a worker thread.
import { Worker } from 'node:worker_threads';
import { bind, ProverError } from './client.js';

function spawn() {
  const w = new Worker(new URL('./worker-node.js', import.meta.url));
  w.unref();
  return {
    send: (msg, transfer) => w.postMessage(msg, transfer),
    onMessage: (fn) => w.on('message', fn),
    onError: (fn) => {
      w.on('error', fn);
      w.on('exit', (code) => fn(new Error(`exited with code ${code}`)));
    },
    // A worker with work keeps the process alive; an idle one does not.
    busy: (flag) => (flag ? w.ref() : w.unref()),
    terminate: () => void w.terminate(),
  };
}

/** Node proves on one thread (the threaded build needs the browser's Web Workers). */
function threadsFor(threads = 'auto') {
  if (threads === 'auto' || threads === 1) return 1;
  throw new TypeError("threads: Node proves on one thread; use 'auto' or 1");
}

export const { createProver, pathFromSubtree } = bind(spawn, threadsFor);
export { ProverError };
