// Helpers shared by the kiosk and the wallet pages. Everything runs in the browser:
// no presentation, record or key leaves the page.

export async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

export async function fetchText(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.text();
}

export const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/**
 * Parses hex text (optionally after `0x`; surrounding spaces ignored) and throws an Error
 * naming `what` for anything else: empty text, an odd number of digits, a non-hex
 * character. Never guesses: a typo must not silently become another value.
 */
export function fromHex(text, what = 'hex value') {
  if (typeof text !== 'string') throw new Error(`${what}: expected hex text`);
  let t = text.trim();
  if (t.startsWith('0x') || t.startsWith('0X')) t = t.slice(2);
  if (t.length === 0) throw new Error(`${what}: empty; enter hex digits`);
  const bad = t.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new Error(`${what}: '${t[bad]}' is not a hex digit`);
  if (t.length % 2 !== 0) throw new Error(`${what}: odd number of hex digits (${t.length})`);
  return new Uint8Array(t.match(/../g).map((h) => parseInt(h, 16)));
}

export function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Accepts base64 or hex text. */
export function parsePresentationText(text) {
  const t = text.replace(/\s+/g, '');
  if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0) return fromHex(t);
  const raw = atob(t);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Today's date in UTC, YYYY-MM-DD. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);
/** The current UTC minute, YYYY-MM-DDTHH:MMZ (a policy with hour windows needs it). */
export const minuteUtc = () => new Date().toISOString().slice(0, 16) + 'Z';

export const readFile = (file) => file.arrayBuffer().then((b) => new Uint8Array(b));
export const readText = (file) => file.text();

/** The SHA-256 of bytes, hex. */
export async function sha256Hex(bytes) {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}
