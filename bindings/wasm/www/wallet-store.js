// The wallet's storage: the holder key, credentials and inclusion paths, each encrypted
// in IndexedDB under a key derived from the holder's passphrase (PBKDF2-SHA-256, 600,000
// iterations, AES-256-GCM with a fresh IV per item; the key never leaves WebCrypto).
// Proving keys are public and cached unencrypted, under the verifying-key hash they were
// checked against.
import { openStore } from './store.js';

const ITERATIONS = 600_000;
const MARKER = 'medzk-wallet-v1';
const enc = new TextEncoder();
const dec = new TextDecoder();

async function deriveKey(passphrase, salt) {
  const base = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function seal(key, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(text)));
  return { iv, data };
}

async function open(key, box) {
  return dec.decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv }, key, box.data));
}

export class WrongPassphrase extends Error {}

/** The kind of a medzk file (by its `format`), or null. */
export function kindOf(json) {
  return { 'medzk-holder-key': 'holder-key', 'medzk-credential': 'credential', 'medzk-inclusion-path': 'path' }[json?.format] ?? null;
}

export async function openWallet() {
  const db = await openStore('medzk-wallet', ['meta', 'items', 'proving-keys']);
  let key = null;
  return {
    exists: async () => (await db.get('meta', 'marker')) !== undefined,
    unlocked: () => key !== null,
    async create(passphrase) {
      if (await db.get('meta', 'marker')) throw new Error('a wallet already exists on this device');
      if (passphrase.length < 8) throw new Error('choose a passphrase of at least 8 characters');
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const k = await deriveKey(passphrase, salt);
      await db.put('meta', 'salt', salt);
      await db.put('meta', 'marker', await seal(k, MARKER));
      key = k;
    },
    async unlock(passphrase) {
      const [salt, marker] = [await db.get('meta', 'salt'), await db.get('meta', 'marker')];
      if (!salt || !marker) throw new Error('no wallet on this device yet');
      const k = await deriveKey(passphrase, salt);
      try {
        if ((await open(k, marker)) !== MARKER) throw new Error();
      } catch {
        throw new WrongPassphrase('wrong passphrase');
      }
      key = k;
    },
    lock() {
      key = null;
    },
    /** Adds a medzk file (JSON text); returns its kind. Refuses anything else. */
    async add(text) {
      if (!key) throw new Error('unlock the wallet first');
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error('not a JSON file');
      }
      const kind = kindOf(json);
      if (!kind) throw new Error('not a medzk holder key, credential or inclusion path');
      const id = kind === 'holder-key' ? 'holder-key' : kind === 'path' ? `path:${json.path?.index}` : `credential:${json.leaf_index}`;
      await db.put('items', id, await seal(key, JSON.stringify({ kind, text, addedAt: Date.now() })));
      return kind;
    },
    /** Every item, decrypted: { id, kind, text, json }. */
    async items() {
      if (!key) throw new Error('unlock the wallet first');
      const ids = await db.keys('items');
      const out = [];
      for (const id of ids) {
        const item = JSON.parse(await open(key, await db.get('items', id)));
        out.push({ id, kind: item.kind, text: item.text, json: JSON.parse(item.text) });
      }
      return out;
    },
    cachedProvingKey: (vkHash) => db.get('proving-keys', vkHash),
    cacheProvingKey: (vkHash, bytes) => db.put('proving-keys', vkHash, bytes),
  };
}
