// Browser (and bundler) entry: the wasm-bindgen `web` build, fetched and compiled
// (streaming where the server sends application/wasm) on first use. Call
// `ready(url)` first to load the .wasm from elsewhere than beside this file.
import init, * as wasm from './wasm/medzk_wasm_verifier.js';
import { bind } from './api.js';

let source;
const api = bind(async () => {
  await init(source === undefined ? undefined : { module_or_path: source });
  return wasm;
});

/** Loads the module now (optionally from `wasmUrl`); later calls reuse it. */
export async function ready(wasmUrl) {
  if (wasmUrl !== undefined) source = wasmUrl;
  await api.ready();
}
export const { createVerifier, policyHash, describePresentation, parseRequest } = api;
export const { presentationQrText, presentationFromQrText, checkSignedHead, version } = api;
