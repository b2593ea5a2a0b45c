// The prover's Web Worker (a module worker). The wasm module is compiled once, when the
// worker starts; messages that arrive meanwhile wait for it.
import init, * as wasm from './wasm/medzk_wasm.js';
import { serve } from './worker-core.js';

const started = init();
const handle = serve(wasm, (msg, transfer) => self.postMessage(msg, transfer));
self.onmessage = (e) => {
  started.then(
    () => handle(e.data),
    (err) => self.postMessage({ type: 'error', id: e.data.id, code: 'worker-failed', message: `cannot load the prover: ${err.message}` }),
  );
};
