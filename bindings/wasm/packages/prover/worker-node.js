// The prover's worker thread in Node: the same WebAssembly build as browsers, compiled
// from the file beside it when the worker starts.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import init, * as wasm from './wasm/medzk_wasm.js';
import { serve } from './worker-core.js';

const started = readFile(new URL('./wasm/medzk_wasm_bg.wasm', import.meta.url)).then((bytes) =>
  init({ module_or_path: bytes }),
);
const handle = serve(wasm, (msg, transfer) => parentPort.postMessage(msg, transfer));
parentPort.on('message', (msg) => {
  started.then(
    () => handle(msg),
    (err) =>
      parentPort.postMessage({ type: 'error', id: msg.id, code: 'worker-failed', message: `cannot load the prover: ${err.message}` }),
  );
});
