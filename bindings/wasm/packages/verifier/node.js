// Node entry: the same WebAssembly build as browsers, compiled from the file beside it.
import { readFile } from 'node:fs/promises';
import init, * as wasm from './wasm/medzk_wasm_verifier.js';
import { bind } from './api.js';

const api = bind(async () => {
  await init({ module_or_path: await readFile(new URL('./wasm/medzk_wasm_verifier_bg.wasm', import.meta.url)) });
  return wasm;
});

/** Loads the module now; later calls reuse it. (`wasmUrl` is for browsers and ignored.) */
export async function ready() {
  await api.ready();
}
export const { createVerifier, policyHash, describePresentation, parseRequest } = api;
export const { presentationQrText, presentationFromQrText, checkSignedHead, version } = api;
