// QR codes on the pages: drawn from medzk-wasm-qr's module matrix, and read from the
// camera (or an uploaded image) with the browser's BarcodeDetector where it reads QR codes
// and medzk-wasm-qr's decoder (rqrr) otherwise. Texts found go to the caller unchecked:
// @medzk/verifier checks them.
import init, { decode, encode, greyOfRgba } from './qr/medzk_wasm_qr.js';

let loaded;
const ready = () => (loaded ??= init());
const QUIET = 4; // modules of white border, as the standard asks

/** Draws `text` as a QR code on `canvas` (`scale` pixels per module); returns its version. */
export async function drawQr(canvas, text, { scale = 5, ec = 'M' } = {}) {
  await ready();
  const m = encode(text, ec);
  const side = (m.size + 2 * QUIET) * scale;
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = '#000';
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) {
      if (m.dark[y * m.size + x]) ctx.fillRect((x + QUIET) * scale, (y + QUIET) * scale, scale, scale);
    }
  }
  canvas.dataset.text = text;
  canvas.dataset.version = String(m.version);
  const version = m.version;
  m.free();
  return version;
}

async function detector() {
  if (!('BarcodeDetector' in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code') ? new globalThis.BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

const MAX_SIDE = 1280;

/** The QR texts in an image source (a video frame, an ImageBitmap, an image). */
async function textsIn(source, width, height, native, canvas) {
  if (native) return (await native.detect(source)).map((c) => c.rawValue);
  await ready();
  const k = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * k));
  canvas.height = Math.max(1, Math.round(height * k));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return decode(greyOfRgba(data), canvas.width, canvas.height);
}

/** The QR texts in an image file (the fallback where there is no camera). */
export async function readQrFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return await textsIn(bitmap, bitmap.width, bitmap.height, await detector(), document.createElement('canvas'));
  } finally {
    bitmap.close();
  }
}

/**
 * Scans the camera into `video` and calls `onText(text)` for every QR text seen (the same
 * text at most once every `repeatMs`). Returns `stop()`. Throws with a reason a person can
 * act on when there is no camera or no permission.
 */
export async function startScanner(video, onText, { repeatMs = 3000, intervalMs = 200 } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no camera access (use an image instead)');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (e) {
    throw new Error(`no camera: ${e.name === 'NotAllowedError' ? 'permission refused' : e.message} (use an image instead)`);
  }
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const native = await detector();
  const canvas = document.createElement('canvas');
  const seen = new Map();
  let stopped = false;
  let timer;
  const tick = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        for (const text of await textsIn(video, video.videoWidth, video.videoHeight, native, canvas)) {
          const now = Date.now();
          if (now - (seen.get(text) ?? -Infinity) < repeatMs) continue;
          seen.set(text, now);
          await onText(text);
        }
      }
    } catch (e) {
      console.warn('scan:', e);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
}
