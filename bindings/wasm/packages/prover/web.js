// Browser (and bundler) entry: proofs run in a module Web Worker, so the page never
// freezes.
import { bind, ProverError } from './client.js';

function spawn() {
  const w = new Worker(new URL('./worker-web.js', import.meta.url), { type: 'module' });
  return {
    send: (msg, transfer) => w.postMessage(msg, transfer),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => fn(new Error(e.message || 'cannot start the worker'))),
    busy: () => {},
    terminate: () => w.terminate(),
  };
}

export const { createProver, pathFromSubtree } = bind(spawn);
export { ProverError };
