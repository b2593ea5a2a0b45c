// The border kiosk. Its configuration comes from config.json on its own origin, pinned by
// hash in kiosk.html (never from a URL parameter); the verifying key and the policy are
// pinned by hash in the configuration. Trusted roots come only from the registry
// operator's signed head, checked under the pinned operator key, cached in IndexedDB
// with its age, and refused once older than the configured maximum (offline, the kiosk
// keeps working with the cached head until then and says since when). Each session's
// nonce is used once; a holder already accepted in the policy's scope is refused as a
// replay. See docs/wasm.md.
import { checkSignedHead, createVerifier, describePresentation, policyHash, presentationFromQrText, ready } from './verifier/web.js';
import { fetchBytes, fetchText, fromHex, minuteUtc, parsePresentationText, readFile, sha256Hex, toHex, todayUtc } from './common.js';
import { describePolicy } from './policy-words.js';
import { drawQr, readQrFile, startScanner } from './qr.js';
import { openStore } from './store.js';

const $ = (id) => document.getElementById(id);
const state = { config: null, verifier: null, policyWords: '', session: null, previous: null, db: null, head: null, busy: false };
/** How long a minute request stays valid after the kiosk renewed it (a traveller may have
 * scanned it just before). */
const GRACE_MS = 2 * 60_000;

class SetupError extends Error {
  constructor(message, details = []) {
    super(message);
    this.details = details;
  }
}

function setup(message, details = []) {
  const box = $('setup');
  box.hidden = false;
  box.replaceChildren();
  const p = document.createElement('p');
  p.textContent = message;
  box.append(p);
  if (details.length) {
    const ul = document.createElement('ul');
    for (const d of details) {
      const li = document.createElement('li');
      li.textContent = d;
      ul.append(li);
    }
    box.append(ul);
  }
}

const CONFIG_FIELDS = `config.json needs: verifier_id, verifying_key (a path on this site), vk_hash (64 hex digits),
policy (a path on this site), policy_hash (0x…), registry { name, head_url, operator_key, max_head_age_s,
max_root_age_s }; optional: policy_url, policy_words, officer_checks (a list).`;

async function loadConfig() {
  const pinned = document.querySelector('meta[name="medzk-config-sha256"]')?.content.trim() ?? '';
  let response;
  try {
    response = await fetch('config.json', { cache: 'no-cache' });
  } catch {
    response = null;
  }
  if (!response || response.status === 404) {
    throw new SetupError('This kiosk is not set up yet: there is no config.json beside kiosk.html.', [
      CONFIG_FIELDS,
      'Then run scripts/kiosk-site.sh on the site directory: it pins the configuration by its hash in kiosk.html.',
    ]);
  }
  if (!response.ok) throw new SetupError(`config.json could not be read (HTTP ${response.status}).`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!/^[0-9a-f]{64}$/.test(pinned)) {
    throw new SetupError('This kiosk has a config.json but no pinned hash for it in kiosk.html.', [
      'Run scripts/kiosk-site.sh on the site directory to pin it.',
    ]);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== pinned) {
    throw new SetupError('config.json is not the configuration this kiosk was set up with (its hash differs); refusing to run.', [
      `pinned ${pinned}`,
      `found ${actual}`,
    ]);
  }
  let config;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new SetupError(`config.json is not JSON: ${e.message}`);
  }
  const missing = ['verifier_id', 'verifying_key', 'vk_hash', 'policy', 'policy_hash', 'registry'].filter((k) => config[k] === undefined);
  const reg = config.registry ?? {};
  missing.push(...['name', 'head_url', 'operator_key', 'max_head_age_s', 'max_root_age_s'].filter((k) => reg[k] === undefined).map((k) => `registry.${k}`));
  if (missing.length) throw new SetupError(`config.json lacks ${missing.join(', ')}.`, [CONFIG_FIELDS]);
  return config;
}

// --- trusted roots from the signed head --------------------------------------------------

const nowSeconds = () => Math.floor(Date.now() / 1000);
const ago = (seconds) => {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
};
const clock = (seconds) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

async function checkHead(text) {
  const r = state.config.registry;
  return checkSignedHead(text, {
    operatorKey: r.operator_key,
    registry: r.name,
    now: nowSeconds(),
    maxRootAge: r.max_root_age_s,
    maxHeadAge: r.max_head_age_s,
  });
}

/** Fetches a fresh signed head; keeps the cached one when offline or refused. */
async function refreshHead() {
  let fetched = null;
  let problem = null;
  try {
    const text = await fetchText(state.config.registry.head_url);
    const checked = await checkHead(text); // throws for a bad or stale head
    await state.db.put('heads', 'current', { text, fetchedAt: nowSeconds() });
    fetched = checked;
  } catch (e) {
    problem = e.message;
  }
  const cached = await state.db.get('heads', 'current');
  state.head = cached ?? null;
  showRoots(fetched ? null : problem);
}

/** The roots to trust now (the cached head checked again at this moment), or a reason. */
async function trustedRoots() {
  if (!state.head) return { error: 'no signed registry head yet: connect the kiosk to its registry once' };
  try {
    return { head: await checkHead(state.head.text) };
  } catch (e) {
    return { error: `the cached registry head is refused now: ${e.message}` };
  }
}

function showRoots(problem) {
  const el = $('roots');
  if (!state.head) {
    el.textContent = `No trusted registry roots: ${problem ?? 'no signed head'}. Presentations cannot be accepted.`;
    el.dataset.state = 'none';
    return;
  }
  const signedAt = JSON.parse(state.head.text).signed_at;
  const age = nowSeconds() - signedAt;
  const max = state.config.registry.max_head_age_s;
  if (problem) {
    el.textContent = `Offline since ${clock(state.head.fetchedAt)}: using the registry head signed ${ago(age)} ago (usable until it is ${ago(max)} old). Last refresh failed: ${problem}`;
    el.dataset.state = 'offline';
  } else {
    el.textContent = `Registry roots signed by the operator ${ago(age)} ago (${clock(signedAt)}).`;
    el.dataset.state = 'online';
  }
}

// --- sessions ------------------------------------------------------------------------------

async function newSession() {
  // A nonce is never reused: each is recorded when made, and a session ends at its first
  // accepted (or replayed) presentation.
  let nonce;
  do nonce = crypto.getRandomValues(new Uint8Array(16));
  while (!(await state.db.putNew('nonces', toHex(nonce), { madeAt: nowSeconds() })));
  // A policy with hour windows is verified at the request's minute: state it.
  state.session = { nonce, today: state.verifier.needsMinute ? minuteUtc() : todayUtc(), used: false };
  await state.db.put('session', 'current', { nonce: toHex(nonce), today: state.session.today });
  await showSession();
}

async function resumeSession() {
  const saved = await state.db.get('session', 'current');
  const used = saved && (await state.db.get('nonces', saved.nonce))?.usedAt;
  if (!saved || used || !current(saved.today)) return newSession();
  state.session = { nonce: fromHex(saved.nonce), today: saved.today, used: false };
  return showSession();
}

/** Whether a saved session's clock is still the kiosk's: its day, or for a minute (hour
 * windows, evaluated at that minute) at most five minutes ago. */
function current(clock) {
  if (clock.length === 10) return clock === todayUtc();
  const age = Date.now() - Date.parse(clock);
  return clock.slice(0, 10) === todayUtc() && age >= 0 && age < 5 * 60_000;
}

async function showSession() {
  const s = state.session;
  const text = await state.verifier.request({
    verifierId: state.config.verifier_id,
    nonce: s.nonce,
    today: s.today,
    policyUrl: state.config.policy_url,
  });
  await drawQr($('request-qr'), text, { scale: 5 });
  document.body.dataset.request = text;
  $('nonce').textContent = toHex(s.nonce).slice(0, 8) + '…';
  $('today').textContent = s.today;
}

// --- verdicts -------------------------------------------------------------------------------

function show(verdict) {
  const box = $('verdict');
  box.className = `verdict full ${verdict.accepted ? 'accepted' : 'rejected'}`;
  box.dataset.code = verdict.code;
  $('verdict-word').textContent = verdict.accepted ? 'ACCEPTED' : 'REJECTED';
  $('verdict-reason').textContent = verdict.accepted
    ? `${verdict.statement} · proven for ${verdict.today}`
    : verdict.reason;
  $('verdict-policy').textContent = `Policy: ${state.policyWords}`;
  $('verdict-time').textContent = `Checked ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC at ${state.config.verifier_id}`;
  const checks = $('verdict-checks');
  checks.replaceChildren();
  const todo = verdict.accepted
    ? (state.config.officer_checks ?? ['Check the passport: this result says nothing about who is presenting it.'])
    : ['Ask the traveller for another proof, or follow the manual procedure.'];
  for (const c of todo) {
    const li = document.createElement('li');
    li.textContent = c;
    checks.append(li);
  }
  box.hidden = false;
  $('next').focus();
}

const replayKey = (nullifier) => `${state.verifier.policyHash}:${nullifier}`;

async function verifyBytes(bytes) {
  if (state.busy) return;
  state.busy = true;
  try {
    show(await judge(bytes));
  } finally {
    state.busy = false;
  }
}

async function judge(bytes) {
  let described;
  try {
    described = await describePresentation(bytes);
  } catch (e) {
    return { accepted: false, code: 'malformed', reason: `not a presentation: ${e.message}` };
  }
  // A holder already accepted in this policy's scope is refused before anything else.
  const seen = await state.db.get('nullifiers', replayKey(described.nullifier));
  if (seen) {
    return { accepted: false, code: 'replayed', reason: `replay: this holder was already accepted here at ${clock(seen.at)} for this policy` };
  }
  const roots = await trustedRoots();
  if (roots.error) return { accepted: false, code: 'untrusted_root', reason: roots.error };
  const verifier = await createVerifier({
    verifyingKey: state.vk,
    policy: state.policyText,
    trustedRoots: roots.head.trustedRoots,
  });
  // The current request; then, for two minutes after a renewal, the one it replaced.
  const sessions = [state.session];
  if (state.previous && Date.now() < state.previous.until) sessions.push(state.previous);
  let verdict;
  let used;
  try {
    for (const s of sessions) {
      const v = await verifier.verify(bytes, { verifierId: state.config.verifier_id, nonce: s.nonce, today: s.today });
      if (!verdict || v.accepted) verdict = v;
      if (v.accepted) {
        used = s;
        break;
      }
    }
  } finally {
    verifier.close();
  }
  if (verdict.code === 'untrusted_root') {
    const old = roots.head.checkpoints.find((c) => c.root === described.root);
    if (old) {
      const age = nowSeconds() - old.timestamp;
      return { ...verdict, reason: `the registry root it was proven against (checkpoint ${old.seq}, ${clock(old.timestamp)}) is ${ago(age)} old; this kiosk accepts roots at most ${ago(state.config.registry.max_root_age_s)} old, or none from before a revocation: the wallet must fetch a fresh inclusion path` };
    }
    return { ...verdict, reason: `${verdict.reason}: the registry root is not in the operator's signed head this kiosk holds` };
  }
  if (!verdict.accepted) return verdict;
  if (!(await state.db.putNew('nullifiers', replayKey(verdict.nullifier), { at: nowSeconds() }))) {
    return { accepted: false, code: 'replayed', reason: 'replay: this holder was already accepted here for this policy' };
  }
  await state.db.put('nonces', toHex(used.nonce), { usedAt: nowSeconds() });
  if (used === state.previous) state.previous = null; // spent; the current request still stands
  else await newSession(); // the nonce is spent
  return verdict;
}

async function onScanned(text) {
  if (!$('verdict').hidden) return; // the officer has not dismissed the last verdict
  if (!text.startsWith('MZP1:')) {
    $('camera-state').textContent = 'that QR code is not a medzk presentation';
    return;
  }
  let bytes;
  try {
    bytes = await presentationFromQrText(text);
  } catch (e) {
    show({ accepted: false, code: 'malformed', reason: e.message });
    return;
  }
  await verifyBytes(bytes);
}

async function main() {
  await ready();
  state.db = await openStore('medzk-kiosk', ['heads', 'nonces', 'nullifiers', 'session']);
  state.config = await loadConfig();
  const c = state.config;
  const [vk, policyText] = await Promise.all([fetchBytes(c.verifying_key), fetchText(c.policy)]);
  const policyHashFound = await policyHash(policyText);
  if (policyHashFound !== c.policy_hash) throw new SetupError(`the policy at ${c.policy} is not the pinned one (hash ${policyHashFound}).`);
  state.vk = vk;
  state.policyText = policyText;
  state.verifier = await createVerifier({ verifyingKey: vk, policy: policyText, trustedRoots: [] });
  if (state.verifier.keyHash !== c.vk_hash.replace(/^0x/, '')) throw new SetupError(`the verifying key at ${c.verifying_key} is not the pinned one (hash ${state.verifier.keyHash}).`);
  state.policyWords = c.policy_words ?? describePolicy(JSON.parse(policyText));
  $('policy-words').textContent = `Policy: ${state.policyWords}`;
  $('verifier-id').textContent = c.verifier_id;
  await refreshHead();
  setInterval(refreshHead, 60_000);
  await resumeSession();
  // A new request when the session's clock is no longer the kiosk's: a new day, or five
  // minutes on for a policy with hour windows (evaluated at the request's minute). A
  // minute request it replaces is still accepted for two minutes, so that a traveller who
  // scanned it just before is not turned away (its windows are then evaluated at its
  // minute, at most seven minutes ago).
  setInterval(() => {
    if (current(state.session.today)) return;
    state.previous = state.session.today.length > 10 ? { ...state.session, until: Date.now() + GRACE_MS } : null;
    newSession();
  }, 30_000);
  $('main').hidden = false;
  $('next').onclick = () => {
    $('verdict').hidden = true;
  };
  $('verify').onclick = async () => {
    const text = $('presentation').value.trim();
    if (text.startsWith('MZP1:')) return onScanned(text);
    let bytes;
    try {
      bytes = parsePresentationText(text);
    } catch {
      show({ accepted: false, code: 'malformed', reason: 'the text is neither a presentation QR text, base64 nor hex' });
      return;
    }
    await verifyBytes(bytes);
  };
  $('file').onchange = async (e) => {
    const file = e.target.files[0];
    if (file) await verifyBytes(await readFile(file));
  };
  $('image').onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const texts = await readQrFile(file);
    if (texts.length === 0) $('camera-state').textContent = 'no QR code found in that image';
    for (const t of texts) await onScanned(t);
  };
  const status = $('status');
  status.textContent = `ready: ${state.verifier.statement}`;
  status.dataset.ready = 'true';
  try {
    await startScanner($('camera'), onScanned);
    $('camera-state').textContent = 'camera on: hold the QR code in front of it';
  } catch (e) {
    $('camera-state').textContent = e.message;
  }
}

main().catch((e) => {
  const status = $('status');
  status.dataset.ready = 'error';
  if (e instanceof SetupError) {
    status.textContent = 'Setup needed';
    setup(e.message, e.details);
  } else {
    status.textContent = `cannot start: ${e.message}`;
  }
});
