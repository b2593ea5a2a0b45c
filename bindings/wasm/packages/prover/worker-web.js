// The prover's Web Worker (a module worker). The wasm module is compiled once, when the
// worker starts; messages that arrive meanwhile wait for it. A worker named
// `medzk-prover:N` (N > 1) loads the threaded build and starts N threads (Web Workers
// sharing its memory) before answering; the page must be cross-origin isolated.
import { serve } from './worker-core.js';

const threads = Number(/^medzk-prover:(\d+)$/.exec(self.name ?? '')?.[1] ?? 1);
const started = (async () => {
  const wasm = threads > 1 ? await import('./wasm-threads/medzk_wasm.js') : await import('./wasm/medzk_wasm.js');
  await wasm.default();
  if (threads > 1) await wasm.initThreadPool(threads);
  return wasm;
})();
let handle;
self.onmessage = (e) => {
  started.then(
    (wasm) => {
      handle ??= serve(wasm, (msg, transfer) => self.postMessage(msg, transfer));
      handle(e.data);
    },
    (err) => self.postMessage({ type: 'error', id: e.data.id, code: 'worker-failed', message: `cannot load the prover: ${err.message}` }),
  );
};
