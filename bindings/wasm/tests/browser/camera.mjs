// Chromium's fake camera for the browser tests: a Y4M file (4:2:0) of one frame that the
// browser loops (--use-file-for-fake-video-capture). Frames are built from a page
// canvas's pixels, so the camera sees exactly the QR code the other page showed.
import fs from 'node:fs';

export const WIDTH = 640;
export const HEIGHT = 480;

/** Writes a Y4M file of grey levels `grey` (w × h) centred on a white 640 × 480 frame. */
export function writeY4m(file, grey = new Uint8Array(0), w = 0, h = 0) {
  if (w > WIDTH || h > HEIGHT) throw new Error(`a ${w}×${h} image does not fit the ${WIDTH}×${HEIGHT} frame`);
  const y = new Uint8Array(WIDTH * HEIGHT).fill(255);
  const left = Math.floor((WIDTH - w) / 2);
  const top = Math.floor((HEIGHT - h) / 2);
  for (let row = 0; row < h; row++) y.set(grey.subarray(row * w, (row + 1) * w), (top + row) * WIDTH + left);
  const chroma = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  fs.writeFileSync(file, Buffer.concat([header, y, chroma, chroma]));
}

/** The grey levels of a canvas on the page: { grey, w, h }. */
export async function canvasGrey(page, selector) {
  const { data, w, h } = await page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const grey = [];
    for (let i = 0; i < px.length; i += 4) grey.push(Math.round((px[i] * 299 + px[i + 1] * 587 + px[i + 2] * 114) / 1000));
    return { data: grey, w: c.width, h: c.height };
  }, selector);
  return { grey: Uint8Array.from(data), w, h };
}
