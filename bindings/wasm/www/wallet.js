// The wallet: keeps the holder key, credentials and inclusion paths encrypted on this
// device (wallet-store.js); imports SMART Health Cards from their QR codes through the
// registry service; reads a verifier's request QR (camera, photo or text); says
// what the verifier will and will not learn; proves the policy in @medzk/prover's Web
// Worker (./prover/) — the page stays responsive, shows where the proof is, and can
// cancel it — and shows the presentation as a QR code for the verifier's camera. QR texts
// are read and written with @medzk/verifier (./verifier/), which is small.
import { createProver, pathFromSubtree } from './prover/web.js';
import { parseRequest, policyHash, presentationQrText } from './verifier/web.js';
import { fetchText, fromHex, readFile, readText, toBase64, toHex, todayUtc } from './common.js';
import { drawQr, readQrFile, startScanner } from './qr.js';
import { WrongPassphrase, openWallet } from './wallet-store.js';

const $ = (id) => document.getElementById(id);
const STAGES = { starting: 'preparing…', 'loading-key': 'loading the proving key…', proving: 'proving…', done: 'done' };
let wallet;
let running;
const provers = new Map(); // verifying-key hash → a prover whose worker holds that key
let request; // the scanned request, once read
let stopScanner;

function setResult(text, state) {
  const result = $('result');
  result.textContent = text;
  result.dataset.state = state;
}

// --- the wallet ----------------------------------------------------------------------------

function describe(item) {
  const j = item.json;
  if (item.kind === 'holder-key') return 'Your holder key';
  if (item.kind === 'path') return `Inclusion path for credential #${j.path.index} (registry root ${j.root.slice(0, 12)}…)`;
  const r = j.record;
  return `${r.kind} ${r.code ? r.code.replace(/^http:\/\/hl7\.org\/fhir\/sid\//, '') : ''} ${r.date ?? ''} from ${r.issuer} (credential #${j.leaf_index})`;
}

async function showWallet() {
  const state = $('wallet-state');
  if (!wallet.unlocked()) {
    const exists = await wallet.exists();
    state.textContent = exists ? 'Locked. Enter your passphrase to use your credentials.' : 'No wallet on this device yet: choose a passphrase (at least 8 characters) to create one.';
    state.dataset.state = exists ? 'locked' : 'none';
    $('locked').hidden = false;
    $('unlocked').hidden = true;
    $('create').hidden = exists;
    $('unlock').hidden = !exists;
    return;
  }
  const items = await wallet.items();
  state.textContent = `Unlocked: ${items.length} item(s).`;
  state.dataset.state = 'unlocked';
  $('locked').hidden = true;
  $('unlocked').hidden = false;
  const list = $('items');
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement('li');
    li.dataset.kind = item.kind;
    if (item.kind === 'credential') {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.value = item.id;
      box.id = `use-${item.id}`;
      const label = document.createElement('label');
      label.htmlFor = box.id;
      label.className = 'inline';
      label.textContent = describe(item);
      li.append(box, ' ', label);
    } else {
      li.textContent = describe(item);
    }
    list.append(li);
  }
}

async function withPassphrase(action) {
  const state = $('wallet-state');
  try {
    await action($('passphrase').value);
    $('passphrase').value = '';
  } catch (e) {
    state.textContent = e instanceof WrongPassphrase ? 'Wrong passphrase.' : e.message;
    state.dataset.state = 'error';
    return;
  }
  await showWallet();
}

/**
 * Fetches every credential's inclusion path from the registry service privately: the
 * subtree of 4^4 = 256 leaves around it, from which the path is computed here (the
 * registry learns the group of 256, not the credential).
 */
const SUBTREE_LEVELS = 4;
async function fetchPaths() {
  const state = $('paths-state');
  state.dataset.state = 'working';
  try {
    const base = $('registry-url').value.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(base)) throw new Error('enter the registry service address (https://…)');
    const credentials = (await wallet.items()).filter((i) => i.kind === 'credential');
    if (credentials.length === 0) throw new Error('add a credential first');
    const groups = new Map();
    for (const c of credentials) {
      const index = c.json.leaf_index;
      const group = Math.floor(index / 4 ** SUBTREE_LEVELS);
      if (!groups.has(group)) groups.set(group, await fetchText(`${base}/v1/subtree/${SUBTREE_LEVELS}/${group}`));
      await wallet.add(JSON.stringify(await pathFromSubtree(groups.get(group), index)));
    }
    state.textContent = `Fetched ${credentials.length} inclusion path(s) (${groups.size} subtree(s) of ${4 ** SUBTREE_LEVELS} leaves).`;
    state.dataset.state = 'done';
  } catch (e) {
    state.textContent = `Could not fetch the paths: ${e.message}`;
    state.dataset.state = 'error';
  }
  await showWallet();
}

// --- SMART Health Cards ---------------------------------------------------------------------

/**
 * A SMART Health Card's QR code(s), imported through the registry service: the service
 * checks the issuer's signature, appends the records' commitments and answers with the
 * credentials (docs/import.md "Through the registry service"); the wallet stores them and
 * fetches their inclusion paths. A card split over several QR codes (shc:/1/3/…) is
 * gathered first. The card passes through the service once; only credentials are kept.
 */
const cardChunks = new Map(); // "i" → text, while a chunked card is being scanned
let cardBusy = false;
let lastCard;
async function useCard(text) {
  const state = $('card-state');
  const chunk = /^shc:\/(\d+)\/(\d+)\//i.exec(text);
  let card = text;
  if (chunk) {
    const [, i, n] = chunk;
    cardChunks.set(i, text);
    if (cardChunks.size < Number(n)) {
      state.textContent = `SMART Health Card: ${cardChunks.size} of ${n} QR codes read; show the next one.`;
      state.dataset.state = 'partial';
      return;
    }
    card = [...cardChunks.values()].join('\n');
    cardChunks.clear();
  }
  if (cardBusy || card === lastCard) return; // the camera reads a card again every few seconds
  cardBusy = true;
  state.dataset.state = 'working';
  state.textContent = 'Importing the SMART Health Card…';
  try {
    if (!wallet.unlocked()) throw new Error('unlock your wallet first');
    const key = (await wallet.items()).find((i) => i.kind === 'holder-key');
    if (!key) throw new Error('add your holder key first');
    const base = $('registry-url').value.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(base)) throw new Error('enter the registry service address (https://…)');
    const response = await fetch(`${base}/v1/import/shc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card, holder_id: key.json.holder_id }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error?.message ?? `the registry service answered ${response.status}`);
    // A card imported before gives the same commitments (one fact, one commitment): those
    // credentials are in the wallet already, and two copies could not both be used.
    const have = new Set((await wallet.items()).filter((i) => i.kind === 'credential').map((i) => i.json.commitment));
    const fresh = answer.credentials.filter((c) => !have.has(c.commitment));
    for (const c of fresh) await wallet.add(JSON.stringify(c));
    lastCard = card;
    const issuers = [...new Set(answer.cards.map((c) => c.iss))].join(', ');
    const known = fresh.length < answer.count ? `; ${answer.count - fresh.length} already in your wallet` : '';
    const skipped = answer.skipped.length ? `; ${answer.skipped.length} entr(ies) not imported` : '';
    state.textContent = `Imported ${fresh.length} record(s) from ${issuers}, its signature checked${known}${skipped}.`;
    state.dataset.state = 'done';
    await showWallet();
    await fetchPaths();
  } catch (e) {
    state.textContent = `Could not import the card: ${e.message}`;
    state.dataset.state = 'error';
  } finally {
    cardBusy = false;
  }
}

/** What a scanned or chosen QR code is: a card to import, or a verifier's request. */
async function useScanned(text) {
  if (/^shc:\//i.test(text)) return useCard(text);
  return useRequest(text);
}

// --- the request ----------------------------------------------------------------------------

function scopeOf(policy) {
  if (typeof policy.scope === 'string') return { name: policy.scope, shared: false };
  if (policy.scope?.shared) return { name: policy.scope.shared, shared: true };
  return { name: String(policy.scope ?? ''), shared: false };
}

/** What the verifier learns from a presentation of `policy`, in words. */
function explainLearning(policy) {
  const box = $('learn');
  const scope = scopeOf(policy);
  box.replaceChildren();
  const add = (title, lines) => {
    const h = document.createElement('strong');
    h.textContent = title;
    const ul = document.createElement('ul');
    for (const l of lines) {
      const li = document.createElement('li');
      li.textContent = l;
      ul.append(li);
    }
    box.append(h, ul);
  };
  add('The verifier will learn:', [
    `that your credentials meet its policy (${policy.statement}) on ${request?.today ?? 'the date it asked for'};`,
    `a pseudonym for you in the scope "${scope.name}": the same each time you present in this scope${scope.shared ? ' (shared by every verifier using it)' : ''}, so a second visit is recognised, but different in every other scope;`,
    'which registry state (root) your proof refers to, and which proving key made it.',
  ]);
  add('It will not learn:', [
    'your name, birth date, or any record: no vaccine, test, diagnosis, value or date;',
    'which credential or issuer you used, or how many credentials you hold.',
  ]);
  box.hidden = false;
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
  $('today').value = request.clock ?? request.today;
  $('request').textContent = `Request from ${request.verifierId} for ${request.clock ?? request.today}: statement ${request.statement}, policy ${request.policyHash.slice(0, 18)}…${request.policyUrl ? ` (${request.policyUrl})` : ''}`;
  $('request').dataset.state = 'scanned';
  stopScanner?.();
  stopScanner = undefined;
  await showKeyState();
}

// --- the proving key ------------------------------------------------------------------------

function pinnedHash() {
  return toHex(fromHex($('vk-hash').value, 'verifying-key hash'));
}

async function showKeyState() {
  let hash;
  try {
    hash = pinnedHash();
  } catch {
    $('pk-state').textContent = 'Enter the verifying-key hash you trust.';
    return;
  }
  $('pk-state').textContent = (await wallet.cachedProvingKey(hash))
    ? 'The proving key for this hash is on this device (checked).'
    : 'Not on this device yet: it is downloaded once when you prove (or choose the file), checked against this hash and kept.';
}

/**
 * The proving key for `vkHash` when none is kept: the chosen file, else downloaded from
 * the site's `keys/<hash>.pk` (content-addressed: whatever is served there is checked
 * against the pinned hash before it is used or kept), with the download's progress.
 */
async function provingKeyBytes(vkHash) {
  const file = $('pk').files[0];
  if (file) return readFile(file);
  const url = new URL(`keys/${vkHash}.pk`, location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`this site has no proving key for ${vkHash.slice(0, 16)}… (${url.pathname}: ${response.status}); choose the .pk file`);
  const total = Number(response.headers.get('content-length')) || 0;
  const reader = response.body.getReader();
  const parts = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    const shown = total ? `${Math.floor((100 * received) / total)} %` : `${(received / 1e6).toFixed(1)} MB`;
    setResult(`downloading the proving key (once)… ${shown}`, 'working');
  }
  const key = new Uint8Array(received);
  let at = 0;
  for (const part of parts) {
    key.set(part, at);
    at += part.length;
  }
  return key;
}

/** The policy the verifier asked for: the chosen file, or fetched from the request's URL. */
async function policyText() {
  const file = $('policy').files[0];
  if (file) return readText(file);
  if (request?.policyUrl) return fetchText(request.policyUrl);
  throw new Error("choose the verifier's policy file");
}

async function prove() {
  const controller = new AbortController();
  running = controller;
  $('cancel').disabled = false;
  $('prove').disabled = true;
  $('presentation-qr').hidden = true;
  setResult('preparing…', 'working');
  try {
    if (!wallet.unlocked()) throw new Error('unlock your wallet first');
    const started = performance.now();
    const vkHash = pinnedHash();
    const nonce = fromHex($('nonce').value, 'session nonce');
    const policy = await policyText();
    let policyJson;
    try {
      policyJson = JSON.parse(policy);
    } catch {
      throw new Error('the policy file is not JSON');
    }
    if (request) {
      // Prove only what the verifier asked: its policy and the key the wallet trusts.
      if (request.vkHash !== vkHash) throw new Error(`the verifier asks for verifying key ${request.vkHash.slice(0, 16)}…, not the one you trust (${vkHash.slice(0, 16)}…)`);
      const hash = await policyHash(policy).catch((e) => { throw new Error(`the policy: ${e.message}`); });
      if (hash !== request.policyHash) throw new Error(`the policy is not the one the verifier asked for (hash ${hash.slice(0, 18)}…, asked ${request.policyHash.slice(0, 18)}…)`);
    }
    explainLearning(policyJson);
    const items = await wallet.items();
    const holderKey = items.find((i) => i.kind === 'holder-key');
    if (!holderKey) throw new Error('add your holder key to the wallet first');
    const chosen = new Set(Array.from(document.querySelectorAll('#items input:checked'), (b) => b.value));
    const credentials = items.filter((i) => i.kind === 'credential' && chosen.has(i.id));
    if (credentials.length === 0) throw new Error('add (and tick) at least one credential');
    const paths = credentials.map((c) => {
      const p = items.find((i) => i.id === `path:${c.json.leaf_index}`);
      if (!p) throw new Error(`no inclusion path for credential #${c.json.leaf_index}: add the one the registry gives`);
      return p.text;
    });
    let prover = provers.get(vkHash);
    if (!prover) {
      let key = await wallet.cachedProvingKey(vkHash);
      const fresh = !key;
      if (fresh) key = await provingKeyBytes(vkHash);
      setResult(STAGES['loading-key'], 'working');
      // checks the key against the hash; proves on every core where the page is cross-origin
      // isolated (the site's COOP/COEP headers), else on one thread
      prover = await createProver({ provingKey: key, vkHash });
      if (fresh) await wallet.cacheProvingKey(vkHash, key);
      provers.set(vkHash, prover); // kept: the next proof skips loading the key
      await showKeyState();
    }
    const bytes = await prover.prove(
      {
        policy,
        credentials: credentials.map((c) => c.text),
        holderKey: holderKey.text,
        paths,
        verifierId: $('verifier-id').value,
        nonce,
        today: $('today').value,
      },
      { signal: controller.signal, onProgress: (stage) => setResult(STAGES[stage], 'working') },
    );
    const ms = Math.round(performance.now() - started);
    $('presentation').value = toBase64(bytes);
    const link = $('download');
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.hidden = false;
    const qr = $('presentation-qr');
    await drawQr(qr, await presentationQrText(bytes), { scale: 4 });
    qr.hidden = false;
    const on = prover.threads > 1 ? `${prover.threads} threads` : 'one thread';
    setResult(`proved ${prover.statement} in ${ms} ms on ${on} (${bytes.length} bytes): show this QR code to the verifier`, 'done');
  } catch (e) {
    if (e.code === 'cancelled') setResult('cancelled: nothing was proven', 'cancelled');
    else if (e.code === 'refused' && /^cannot prove: /.test(e.message)) {
      setResult(`You do not meet the verifier's policy: ${e.message.replace(/^cannot prove: /, '')}. Nothing was proven or sent.`, 'unmet');
    } else setResult(e.message, 'error');
  } finally {
    running = undefined;
    $('cancel').disabled = true;
    $('prove').disabled = false;
  }
}

async function main() {
  wallet = await openWallet();
  await showWallet();
  $('create').onclick = () => withPassphrase((p) => wallet.create(p));
  $('unlock').onclick = () => withPassphrase((p) => wallet.unlock(p));
  $('lock').onclick = async () => {
    wallet.lock();
    for (const p of provers.values()) p.close();
    provers.clear();
    await showWallet();
  };
  $('import').onchange = async (e) => {
    const problems = [];
    for (const file of e.target.files) {
      try {
        await wallet.add(await readText(file));
      } catch (err) {
        problems.push(`${file.name}: ${err.message}`);
      }
    }
    e.target.value = '';
    await showWallet();
    if (problems.length) {
      $('wallet-state').textContent += ` Not added: ${problems.join('; ')}.`;
    }
  };
  $('fetch-paths').onclick = fetchPaths;
  $('vk-hash').onchange = showKeyState;
  $('policy').onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      explainLearning(JSON.parse(await readText(file)));
    } catch {
      $('learn').hidden = true;
    }
  };
  $('today').value = todayUtc();
  $('prove').disabled = false;
  $('prove').onclick = prove;
  $('cancel').onclick = () => running?.abort();
  $('request-text').onchange = (e) => useScanned(e.target.value.trim());
  $('request-image').onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const texts = await readQrFile(file);
    if (texts.length === 0) $('camera-state').textContent = 'no QR code found in that image';
    for (const t of texts) await useScanned(t);
  };
  $('card-text').onchange = (e) => useCard(e.target.value.trim());
  $('card-image').onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const texts = (await readQrFile(file)).filter((t) => /^shc:\//i.test(t));
    if (texts.length === 0) $('card-state').textContent = 'no SMART Health Card QR code found in that image';
    for (const t of texts) await useCard(t);
    e.target.value = '';
  };
  $('status').textContent = 'ready';
  $('status').dataset.ready = 'true';
  startScanner($('camera'), useScanned).then(
    (stop) => {
      stopScanner = stop;
      $('camera-state').textContent = "camera on: point it at the verifier's QR code (or at your SMART Health Card to import it)";
    },
    (e) => {
      $('camera-state').textContent = e.message;
    },
  );
}

main().catch((e) => {
  $('status').textContent = `cannot start: ${e.message}`;
});
