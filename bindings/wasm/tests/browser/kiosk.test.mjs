// The kiosk and wallet pages in headless Chromium (Debian's, driven by playwright-core):
// the kiosk shows the right verdict for a valid and a tampered presentation (screenshots
// kept in bindings/wasm/tests/artifacts/), and a presentation proved in the wallet page
// is accepted by the kiosk page.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { cli, manifest, repo, tempDir, vectors } from '../node/helpers.mjs';

const dist = path.join(repo, 'bindings/wasm/dist');
const artifacts = path.join(repo, 'bindings/wasm/tests/artifacts');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

async function withBrowser(fn) {
  const extra = new Map();
  const server = await serve([['/data/', vectors], ['/', dist]], extra);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await fn({ page, base: `http://127.0.0.1:${server.address().port}`, extra });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
}

async function verdictAfter(page, action) {
  await page.evaluate(() => { document.getElementById('verdict').hidden = true; });
  await action();
  const box = page.locator('#verdict');
  await box.waitFor({ state: 'visible', timeout: 20000 });
  return { code: await box.getAttribute('data-code'), text: await box.innerText() };
}

test('the kiosk page verifies a valid and a tampered presentation', async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  const m = manifest();
  await withBrowser(async ({ page, base, extra }) => {
    extra.set('kiosk.json', JSON.stringify({
      verifying_key: '/data/vaccination.vk', policy: '/data/policy.json', trusted_roots: m.session.trusted_roots,
      verifier_id: m.session.verifier_id, nonce: m.session.nonce, today: m.session.today,
    }));
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${base}/kiosk.html?config=/extra/kiosk.json`);
    await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
    // The kiosk loads the verifier package alone, never the prover.
    assert.ok(requested.includes('/verifier/wasm/medzk_wasm_verifier_bg.wasm'), requested.join(' '));
    assert.ok(!requested.some((p) => p.startsWith('/prover/')), requested.join(' '));
    const b64 = (name) => fs.readFileSync(path.join(vectors, name)).toString('base64');

    const valid = await verdictAfter(page, async () => {
      await page.fill('#presentation', b64('valid.bin'));
      await page.click('#verify');
    });
    assert.equal(valid.code, 'accepted');
    assert.match(valid.text, /^ACCEPTED/);
    await page.screenshot({ path: path.join(artifacts, 'kiosk-accepted.png'), fullPage: true });

    const tampered = await verdictAfter(page, async () => {
      await page.fill('#presentation', b64('tampered_proof_point.bin'));
      await page.click('#verify');
    });
    assert.equal(tampered.code, 'rejected');
    assert.match(tampered.text, /^REJECTED: the proof does not verify/);
    await page.screenshot({ path: path.join(artifacts, 'kiosk-rejected.png'), fullPage: true });

    // A file, and pasted text that is not a presentation at all.
    const truncated = await verdictAfter(page, () => page.setInputFiles('#file', path.join(vectors, 'truncated.bin')));
    assert.equal(truncated.code, 'malformed');
    const junk = await verdictAfter(page, async () => {
      await page.fill('#presentation', 'not a presentation!');
      await page.click('#verify');
    });
    assert.equal(junk.code, 'malformed');
  });
  assert.ok(fs.statSync(path.join(artifacts, 'kiosk-accepted.png')).size > 1000);
});

test('a presentation proved in the wallet page is accepted by the kiosk page', async () => {
  const dir = tempDir('medzk-browser-');
  const ok = (args) => {
    const r = cli(dir, args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const vkHash = ok(['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'browser', '--pk', 'k.pk', '--vk', 'k.vk'])
    .split(/\s+/).pop();
  ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  const holder = ok(['holder', 'keygen', '--out', 'h.key']);
  ok(['issue', 'immunization', '--registry', 'reg.redb', '--holder-id', holder, '--issuer', 'c', '--out', 'c.json',
    '--vaccine', 'cvx|208', '--date', '2026-10-01', '--dose', '2', '--series', '2', '--lot', 'L']);
  const root = ok(['registry', 'path', '--registry', 'reg.redb', '--index', '0', '--out', 'p.json']);
  const policyFile = path.join(repo, 'examples/policies/border-vaccination.json');
  const nonce = '00112233445566778899aabbccddeeff';
  await withBrowser(async ({ page, base, extra }) => {
    await page.goto(`${base}/wallet.html`);
    await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
    await page.setInputFiles('#pk', path.join(dir, 'k.pk'));
    await page.fill('#vk-hash', vkHash);
    await page.setInputFiles('#holder-key', path.join(dir, 'h.key'));
    await page.setInputFiles('#credentials', path.join(dir, 'c.json'));
    await page.setInputFiles('#paths', path.join(dir, 'p.json'));
    await page.setInputFiles('#policy', policyFile);
    await page.fill('#verifier-id', 'border:NO:kiosk-browser');
    await page.fill('#today', '2026-11-24');
    // Hex fields: anything but 0x-or-bare hex is refused with the reason, before proving.
    for (const [bad, why] of [['', /empty/], ['0x', /empty/], ['00112233445566zz', /not a hex digit/], ['0011223', /odd number/]]) {
      await page.fill('#nonce', bad);
      await page.click('#prove');
      await page.waitForSelector('#result[data-state="error"]', { timeout: 10000 });
      assert.match(await page.innerText('#result'), why, `nonce ${JSON.stringify(bad)}`);
    }
    await page.fill('#nonce', `0x${nonce}`);
    // Cancelled while proving: the worker stops, nothing is shown.
    await page.click('#prove');
    await page.waitForSelector('#result[data-state="working"]', { timeout: 10000 });
    await page.click('#cancel');
    await page.waitForSelector('#result[data-state="cancelled"], #result[data-state="done"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('#result', 'data-state'), 'cancelled', await page.innerText('#result'));
    assert.equal(await page.inputValue('#presentation'), '');
    // The main thread's longest task while the proof runs in the worker.
    await page.evaluate(() => {
      window.longestTask = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longestTask = Math.max(window.longestTask, e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.click('#prove');
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('#result', 'data-state'), 'done', await page.innerText('#result'));
    const longest = await page.evaluate(() => window.longestTask);
    assert.ok(longest < 200, `the wallet page's longest task while proving took ${longest} ms`);
    const b64 = await page.inputValue('#presentation');
    await page.screenshot({ path: path.join(artifacts, 'wallet.png'), fullPage: true });

    extra.set('k.vk', fs.readFileSync(path.join(dir, 'k.vk')));
    extra.set('policy.json', fs.readFileSync(policyFile, 'utf8'));
    extra.set('kiosk.json', JSON.stringify({
      verifying_key: '/extra/k.vk', policy: '/extra/policy.json', trusted_roots: [root],
      verifier_id: 'border:NO:kiosk-browser', nonce, today: '2026-11-24',
    }));
    await page.goto(`${base}/kiosk.html?config=/extra/kiosk.json`);
    await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
    const verdict = await verdictAfter(page, async () => {
      await page.fill('#presentation', b64);
      await page.click('#verify');
    });
    assert.equal(verdict.code, 'accepted', verdict.text);
  });
});
