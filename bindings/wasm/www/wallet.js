// The wallet: reads a verifier's request QR (camera, photo or text), proves the policy
// from the holder's files in @medzk/prover's Web Worker (./prover/) — the page stays
// responsive, shows where the proof is, and can cancel it — and shows the presentation
// as a QR code for the verifier's camera. QR texts are read and written with
// @medzk/verifier (./verifier/), which is small; the prover is loaded only to prove.
import { createProver } from './prover/web.js';
import { parseRequest, policyHash, presentationQrText } from './verifier/web.js';
import { fromHex, readFile, readText, toBase64, toHex, todayUtc } from './common.js';
import { drawQr, readQrFile, startScanner } from './qr.js';

const $ = (id) => document.getElementById(id);
const STAGES = { starting: 'preparing…', 'loading-key': 'loading the proving key…', proving: 'proving…', done: 'done' };
let running;
let request; // the scanned request, once read

function setResult(text, state) {
  const result = $('result');
  result.textContent = text;
  result.dataset.state = state;
}

async function useRequest(text) {
  if (!text.startsWith('MZQ1:')) {
    $('camera-state').textContent = 'that QR code is not a verifier request';
    return;
  }
  try {
    request = await parseRequest(text);
  } catch (e) {
    $('request').textContent = `not a valid request: ${e.message}`;
    $('request').dataset.state = 'error';
    return;
  }
  $('verifier-id').value = request.verifierId;
  $('nonce').value = request.nonce;
  $('today').value = request.today;
  $('request').textContent = `Request from ${request.verifierId} for ${request.today}: statement ${request.statement}, policy ${request.policyHash.slice(0, 18)}…${request.policyUrl ? ` (${request.policyUrl})` : ''}`;
  $('request').dataset.state = 'scanned';
  stopScanner?.();
  stopScanner = undefined;
}

async function prove() {
  const files = (id) => Array.from($(id).files);
  const controller = new AbortController();
  running = controller;
  $('cancel').disabled = false;
  $('prove').disabled = true;
  $('presentation-qr').hidden = true;
  setResult('preparing…', 'working');
  let prover;
  try {
    const pkFile = files('pk')[0];
    if (!pkFile) throw new Error('choose the proving key');
    const started = performance.now();
    const vkHash = toHex(fromHex($('vk-hash').value, 'verifying-key hash'));
    const nonce = fromHex($('nonce').value, 'session nonce');
    const policy = await readText(files('policy')[0] ?? new Blob());
    if (request) {
      // Prove only what the verifier asked: its policy and the key the wallet trusts.
      if (request.vkHash !== vkHash) throw new Error(`the verifier asks for verifying key ${request.vkHash.slice(0, 16)}…, not the one you trust (${vkHash.slice(0, 16)}…)`);
      const hash = await policyHash(policy).catch((e) => { throw new Error(`the policy file: ${e.message}`); });
      if (hash !== request.policyHash) throw new Error(`the policy file is not the one the verifier asked for (hash ${hash.slice(0, 18)}…, asked ${request.policyHash.slice(0, 18)}…)`);
    }
    const proofRequest = {
      policy,
      credentials: await Promise.all(files('credentials').map(readText)),
      holderKey: await readText(files('holder-key')[0] ?? new Blob()),
      paths: await Promise.all(files('paths').map(readText)),
      verifierId: $('verifier-id').value,
      nonce,
      today: $('today').value,
    };
    setResult(STAGES['loading-key'], 'working');
    prover = await createProver({ provingKey: await readFile(pkFile), vkHash });
    const bytes = await prover.prove(proofRequest, {
      signal: controller.signal,
      onProgress: (stage) => setResult(STAGES[stage], 'working'),
    });
    const ms = Math.round(performance.now() - started);
    $('presentation').value = toBase64(bytes);
    const link = $('download');
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.hidden = false;
    const qr = $('presentation-qr');
    await drawQr(qr, await presentationQrText(bytes), { scale: 4 });
    qr.hidden = false;
    setResult(`proved ${prover.statement} in ${ms} ms (${bytes.length} bytes): show this QR code to the verifier`, 'done');
  } catch (e) {
    setResult(e.code === 'cancelled' ? 'cancelled: nothing was proven' : e.message, e.code === 'cancelled' ? 'cancelled' : 'error');
  } finally {
    prover?.close();
    running = undefined;
    $('cancel').disabled = true;
    $('prove').disabled = false;
  }
}

let stopScanner;

$('today').value = todayUtc();
$('prove').disabled = false;
$('prove').onclick = prove;
$('cancel').onclick = () => running?.abort();
$('request-text').onchange = (e) => useRequest(e.target.value.trim());
$('request-image').onchange = async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const texts = await readQrFile(file);
  if (texts.length === 0) $('camera-state').textContent = 'no QR code found in that image';
  for (const t of texts) await useRequest(t);
};
$('status').textContent = 'ready';
$('status').dataset.ready = 'true';
startScanner($('camera'), useRequest).then(
  (stop) => {
    stopScanner = stop;
    $('camera-state').textContent = 'camera on: point it at the verifier\'s QR code';
  },
  (e) => {
    $('camera-state').textContent = e.message;
  },
);
