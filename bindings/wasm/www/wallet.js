// The wallet: proves a policy from the holder's files, entirely in the browser. The proof
// runs in @medzk/prover's Web Worker (./prover/): the page stays responsive, shows where
// the proof is, and can cancel it.
import { createProver } from './prover/web.js';
import { fromHex, readFile, readText, toBase64, toHex, todayUtc } from './common.js';

const $ = (id) => document.getElementById(id);
const STAGES = { starting: 'preparing…', 'loading-key': 'loading the proving key…', proving: 'proving…', done: 'done' };
let running;

function setResult(text, state) {
  const result = $('result');
  result.textContent = text;
  result.dataset.state = state;
}

async function prove() {
  const files = (id) => Array.from($(id).files);
  const controller = new AbortController();
  running = controller;
  $('cancel').disabled = false;
  $('prove').disabled = true;
  setResult('preparing…', 'working');
  let prover;
  try {
    const pkFile = files('pk')[0];
    if (!pkFile) throw new Error('choose the proving key');
    const started = performance.now();
    const vkHash = toHex(fromHex($('vk-hash').value, 'verifying-key hash'));
    const nonce = fromHex($('nonce').value, 'session nonce');
    const request = {
      policy: await readText(files('policy')[0]),
      credentials: await Promise.all(files('credentials').map(readText)),
      holderKey: await readText(files('holder-key')[0]),
      paths: await Promise.all(files('paths').map(readText)),
      verifierId: $('verifier-id').value,
      nonce,
      today: $('today').value,
    };
    setResult(STAGES['loading-key'], 'working');
    prover = await createProver({ provingKey: await readFile(pkFile), vkHash });
    const bytes = await prover.prove(request, {
      signal: controller.signal,
      onProgress: (stage) => setResult(STAGES[stage], 'working'),
    });
    const ms = Math.round(performance.now() - started);
    $('presentation').value = toBase64(bytes);
    const link = $('download');
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.hidden = false;
    setResult(`proved ${prover.statement} in ${ms} ms (${bytes.length} bytes)`, 'done');
  } catch (e) {
    setResult(e.code === 'cancelled' ? 'cancelled: nothing was proven' : e.message, e.code === 'cancelled' ? 'cancelled' : 'error');
  } finally {
    prover?.close();
    running = undefined;
    $('cancel').disabled = true;
    $('prove').disabled = false;
  }
}

$('today').value = todayUtc();
$('prove').disabled = false;
$('prove').onclick = prove;
$('cancel').onclick = () => running?.abort();
$('status').textContent = 'ready';
$('status').dataset.ready = 'true';
