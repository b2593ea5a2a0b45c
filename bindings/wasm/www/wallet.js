// The wallet: proves a policy from the holder's files, entirely in the browser.
import { MedzkProver } from './pkg/medzk_wasm.js';
import { fromHex, loadWasm, readFile, readText, toBase64, toHex, todayUtc } from './common.js';

const $ = (id) => document.getElementById(id);

async function prove() {
  const result = $('result');
  result.textContent = 'proving…';
  result.dataset.state = 'working';
  try {
    const files = (id) => Array.from($(id).files);
    const pkFile = files('pk')[0];
    if (!pkFile) throw new Error('choose the proving key');
    const started = performance.now();
    const vkHash = toHex(fromHex($('vk-hash').value, 'verifying-key hash'));
    const nonce = fromHex($('nonce').value, 'session nonce');
    const prover = new MedzkProver(await readFile(pkFile), vkHash);
    const credentials = `[${(await Promise.all(files('credentials').map(readText))).join(',')}]`;
    const paths = `[${(await Promise.all(files('paths').map(readText))).join(',')}]`;
    const holderKey = await readText(files('holder-key')[0]);
    const policy = await readText(files('policy')[0]);
    const bytes = prover.prove(
      policy, credentials, holderKey, paths, '[]',
      $('verifier-id').value, nonce, $('today').value,
    );
    const ms = Math.round(performance.now() - started);
    $('presentation').value = toBase64(bytes);
    const link = $('download');
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.hidden = false;
    result.textContent = `proved ${prover.statement} in ${ms} ms (${bytes.length} bytes)`;
    result.dataset.state = 'done';
  } catch (e) {
    result.textContent = e.message;
    result.dataset.state = 'error';
  }
}

async function main() {
  await loadWasm();
  $('today').value = todayUtc();
  $('prove').disabled = false;
  $('prove').onclick = prove;
  $('status').textContent = 'ready';
  $('status').dataset.ready = 'true';
}

main().catch((e) => {
  $('status').textContent = `cannot start: ${e.message}`;
});
