// The kiosk: loads its configuration (verifying key, policy, trusted roots, verifier id),
// makes a fresh nonce per session, and verifies presentations locally in WebAssembly.
//
// Configuration: ./config.json next to the page, or ?config=URL. Fields:
//   verifying_key (URL), policy (URL), trusted_roots (array of 0x… strings),
//   verifier_id; optional nonce (hex) and today (YYYY-MM-DD) to pin a session (testing).
// The kiosk loads @medzk/verifier only (./verifier/): it never downloads the prover.
import { createVerifier, ready } from './verifier/web.js';
import { fetchBytes, fetchText, fromHex, parsePresentationText, readFile, toHex, todayUtc } from './common.js';

const $ = (id) => document.getElementById(id);
const state = { verifier: null, config: null, nonce: null, today: null };

function newSession(config) {
  state.nonce = config.nonce ? fromHex(config.nonce, 'config nonce') : crypto.getRandomValues(new Uint8Array(16));
  state.today = config.today ?? todayUtc();
  $('nonce').textContent = toHex(state.nonce);
  $('today').textContent = state.today;
  $('verdict').hidden = true;
}

function show(verdict) {
  const box = $('verdict');
  box.hidden = false;
  box.className = `verdict ${verdict.accepted ? 'accepted' : 'rejected'}`;
  box.dataset.code = verdict.code;
  box.textContent = verdict.accepted ? 'ACCEPTED' : `REJECTED: ${verdict.reason}`;
  const detail = document.createElement('span');
  detail.className = 'detail';
  detail.textContent = verdict.accepted
    ? `${verdict.statement} · day ${verdict.today} · nullifier ${verdict.nullifier.slice(0, 18)}…`
    : `code: ${verdict.code}`;
  box.appendChild(detail);
}

async function verifyBytes(bytes) {
  const session = { verifierId: state.config.verifier_id, nonce: state.nonce, today: state.today };
  show(await state.verifier.verify(bytes, session));
}

async function main() {
  await ready();
  const configUrl = new URLSearchParams(location.search).get('config') ?? 'config.json';
  const config = JSON.parse(await fetchText(configUrl));
  const [vk, policy] = await Promise.all([fetchBytes(config.verifying_key), fetchText(config.policy)]);
  state.config = config;
  state.verifier = await createVerifier({ verifyingKey: vk, policy, trustedRoots: config.trusted_roots });
  $('verifier-id').textContent = config.verifier_id;
  newSession(config);
  const status = $('status');
  status.textContent = `ready: ${state.verifier.statement}, policy ${state.verifier.policyHash.slice(0, 18)}…`;
  status.dataset.ready = 'true';
  $('verify').disabled = false;
  $('new-session').onclick = () => newSession({ ...config, nonce: undefined });
  $('verify').onclick = async () => {
    let bytes;
    try {
      bytes = parsePresentationText($('presentation').value);
    } catch {
      show({ accepted: false, code: 'malformed', reason: 'the pasted text is neither base64 nor hex' });
      return;
    }
    await verifyBytes(bytes);
  };
  $('file').onchange = async (e) => {
    const file = e.target.files[0];
    if (file) await verifyBytes(await readFile(file));
  };
}

main().catch((e) => {
  $('status').textContent = `cannot start: ${e.message}`;
  $('status').dataset.ready = 'error';
});
