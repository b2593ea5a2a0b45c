// Browser (and bundler) entry: proofs run in a module Web Worker, so the page never
// freezes; on a cross-origin isolated page (COOP/COEP headers) the worker proves on
// several threads.
import { bind, ProverError } from './client.js';

/** How many threads a prover gets: `threads` asked for ('auto' by default). */
function threadsFor(threads = 'auto') {
  const isolated = globalThis.crossOriginIsolated === true;
  if (threads === 'auto') return isolated ? Math.max(1, Math.min(navigator.hardwareConcurrency ?? 1, 8)) : 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new TypeError("threads: expected 'auto' or a whole number from 1 to 64");
  }
  if (threads > 1 && !isolated) {
    throw new TypeError('threads: more than one needs a cross-origin isolated page (COOP and COEP headers)');
  }
  return threads;
}

function spawn(threads = 1) {
  const w = new Worker(new URL('./worker-web.js', import.meta.url), { type: 'module', name: `medzk-prover:${threads}` });
  return {
    send: (msg, transfer) => w.postMessage(msg, transfer),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => fn(new Error(e.message || 'cannot start the worker'))),
    busy: () => {},
    terminate: () => w.terminate(),
  };
}

export const { createProver, pathFromSubtree } = bind(spawn, threadsFor);
export { ProverError };
