// The border flow in real headless Chromium (Debian's, driven by playwright-core), QR codes
// both ways through Chromium's fake camera: the kiosk shows a request QR; the wallet, fed
// that QR by its camera, proves in a worker (the page stays responsive) and shows its
// presentation QR; the kiosk, fed that image by its camera, shows ACCEPTED; the same
// presentation again is REJECTED as a replay; a presentation against a root older than the
// kiosk's maximum is REJECTED with the reason. The kiosk's trusted roots come from the
// head the registry service (`medzk serve`, on loopback) signs; the wallet computes its
// inclusion path from the service's subtree; the kiosk's configuration is pinned by
// scripts/kiosk-site.sh.
// Screenshots of each screen go to bindings/wasm/tests/artifacts/.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { kioskSite, startService, withBrowser } from './common.mjs';
import { canvasGrey, writeY4m } from './camera.mjs';
import { cli, repo, tempDir } from '../node/helpers.mjs';

const dist = path.join(repo, 'bindings/wasm/dist');
const artifacts = path.join(repo, 'bindings/wasm/tests/artifacts');
const VERIFIER = 'border:NO:gate-3';
const PASSPHRASE = 'correct horse battery';
const MAX_ROOT_AGE = 2; // seconds: the first root is older than that once the test starts

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name), fullPage: true });

async function verdict(page, code) {
  await page.waitForSelector(`#verdict:not([hidden])[data-code="${code}"], #verdict:not([hidden])`, { timeout: 30000 });
  const box = page.locator('#verdict');
  return {
    code: await box.getAttribute('data-code'),
    word: await page.innerText('#verdict-word'),
    reason: await page.innerText('#verdict-reason'),
  };
}

const daysAgo = (n) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

test('QR both ways: kiosk request → wallet (fake camera) → kiosk (fake camera): accepted, replay, stale root', async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = tempDir('medzk-border-');
  const ok = (args) => {
    const r = cli(dir, args);
    assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  // The registry: credentials A (holder 1) and C (holder 2), then, a few seconds later,
  // credential B; C's path then leads to the first root, older than the kiosk accepts.
  const vkHash = ok(['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'border', '--pk', 'k.pk', '--vk', 'k.vk']).split(/\s+/).pop();
  ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  const holder = ok(['holder', 'keygen', '--out', 'h.key']);
  const holder2 = ok(['holder', 'keygen', '--out', 'h2.key']);
  const issue = (out, date, id = holder) => ok(['issue', 'immunization', '--registry', 'reg.redb', '--holder-id', id, '--issuer', 'clinic',
    '--out', out, '--vaccine', 'cvx|208', '--date', date, '--dose', '2', '--series', '2', '--lot', 'L']);
  issue('a.json', daysAgo(30));
  issue('c.json', daysAgo(30), holder2);
  ok(['registry', 'path', '--registry', 'reg.redb', '--index', '1', '--out', 'c-old.json']);
  await new Promise((r) => setTimeout(r, (MAX_ROOT_AGE + 1) * 1000));
  issue('b.json', daysAgo(40));
  // The registry service on loopback: the kiosk reads its signed head, the wallet its subtrees.
  const { service, url: serviceUrl, operatorKey } = await startService(dir);

  // The kiosk site: configuration, key, policy and signed head; the config pinned by hash.
  const policyFile = path.join(repo, 'examples/policies/border-vaccination.json');
  const site = kioskSite(dir, {
    vkFile: path.join(dir, 'k.vk'), vkHash, policyFile,
    config: {
      verifier_id: VERIFIER,
      registry: { name: 'registry:NO', head_url: `${serviceUrl}/v1/head`, operator_key: operatorKey, max_head_age_s: 3600, max_root_age_s: MAX_ROOT_AGE },
      officer_checks: ['Check the passport: name and photo.'],
    },
  });
  assert.ok(!fs.existsSync(path.join(site, 'prover')), 'the kiosk site holds no prover');

  const server = await serve([['/wallet/', dist], ['/bare/', dist], ['/', site]]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const kioskProfile = path.join(dir, 'kiosk-profile');
  const blank = path.join(dir, 'blank.y4m');
  writeY4m(blank);
  try {
    // 1. The kiosk shows its request QR. A kiosk without configuration says what is missing.
    let requestText;
    await withBrowser(kioskProfile, blank, async (page) => {
      await page.goto(`${base}/bare/kiosk.html`);
      await page.waitForSelector('#status[data-ready="error"]', { timeout: 30000 });
      assert.match(await page.innerText('#setup'), /not set up yet: there is no config.json/);
      await shot(page, 'kiosk-first-run.png');

      const requested = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await page.goto(`${base}/kiosk.html`);
      await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
      assert.ok(!requested.some((p) => p.includes('prover')), requested.join(' '));
      assert.equal(await page.getAttribute('#roots', 'data-state'), 'online');
      requestText = await page.evaluate(() => document.body.dataset.request);
      assert.match(requestText, /^MZQ1:/);
      await shot(page, 'kiosk-request.png');
      const { grey, w, h } = await canvasGrey(page, '#request-qr');
      writeY4m(path.join(dir, 'request.y4m'), grey, w, h);
    });

    // 2. The wallet scans the request with its camera, proves in a worker, shows its QR.
    await withBrowser(path.join(dir, 'wallet-profile'), path.join(dir, 'request.y4m'), async (page) => {
      await page.goto(`${base}/wallet/wallet.html`);
      // A new wallet: a passphrase, then the holder's files, kept encrypted.
      await page.waitForSelector('#wallet-state[data-state="none"]', { timeout: 30000 });
      await page.fill('#passphrase', PASSPHRASE);
      await page.click('#create');
      await page.waitForSelector('#wallet-state[data-state="unlocked"]', { timeout: 30000 });
      await page.setInputFiles('#import', ['h.key', 'a.json'].map((f) => path.join(dir, f)));
      await page.waitForFunction(() => document.querySelectorAll('#items li').length === 2, null, { timeout: 10000 });
      // The inclusion path, computed here from the registry service's subtree.
      await page.fill('#registry-url', serviceUrl);
      await page.click('#fetch-paths');
      await page.waitForSelector('#paths-state[data-state="done"], #paths-state[data-state="error"]', { timeout: 30000 });
      assert.match(await page.innerText('#paths-state'), /Fetched 1 inclusion path/);
      await page.waitForFunction(() => document.querySelectorAll('#items li').length === 3, null, { timeout: 10000 });
      // Reloaded, it is locked; a wrong passphrase is refused, the right one opens it.
      await page.reload();
      await page.waitForSelector('#wallet-state[data-state="locked"]', { timeout: 30000 });
      await page.fill('#passphrase', 'not the passphrase');
      await page.click('#unlock');
      await page.waitForSelector('#wallet-state[data-state="error"]', { timeout: 30000 });
      assert.match(await page.innerText('#wallet-state'), /Wrong passphrase/);
      await page.fill('#passphrase', PASSPHRASE);
      await page.click('#unlock');
      await page.waitForSelector('#wallet-state[data-state="unlocked"]', { timeout: 30000 });
      assert.equal(await page.locator('#items li').count(), 3);
      // What IndexedDB holds is ciphertext: neither the holder's secret nor any record.
      const stored = await page.evaluate(() => new Promise((resolve, reject) => {
        const open = indexedDB.open('medzk-wallet');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('items').objectStore('items').getAll();
          all.onsuccess = () => resolve(all.result.map((b) => Array.from(b.data)));
        };
      }));
      assert.equal(stored.length, 3);
      const secret = JSON.parse(fs.readFileSync(path.join(dir, 'h.key'), 'utf8')).secret.replace(/^0x/, '');
      for (const bytes of stored) {
        const text = Buffer.from(bytes).toString('latin1');
        for (const plain of [secret, 'medzk-holder-key', 'medzk-credential', 'cvx|208', holder.replace(/^0x/, '')]) {
          assert.ok(!text.includes(plain), `IndexedDB holds ${plain} in clear`);
        }
      }
      await page.waitForSelector('#request[data-state="scanned"]', { timeout: 30000 });
      assert.equal(await page.inputValue('#verifier-id'), VERIFIER);
      await page.setInputFiles('#pk', path.join(dir, 'k.pk'));
      await page.fill('#vk-hash', vkHash);
      await page.setInputFiles('#policy', policyFile);
      await page.waitForSelector('#learn:not([hidden])', { timeout: 10000 });
      assert.match(await page.innerText('#learn'), /will learn:[\s\S]*pseudonym for you in the scope "border:NO"[\s\S]*will not learn:/);
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
      await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 120000 });
      assert.equal(await page.getAttribute('#result', 'data-state'), 'done', await page.innerText('#result'));
      const longest = await page.evaluate(() => window.longestTask);
      assert.ok(longest < 200, `the wallet page's longest task while proving took ${longest} ms`);
      // The site is cross-origin isolated: the proof ran on every core (at most 8).
      const cores = await page.evaluate(() => (crossOriginIsolated ? Math.min(navigator.hardwareConcurrency, 8) : 0));
      assert.ok(cores >= 1, 'the wallet page is cross-origin isolated');
      const on = cores > 1 ? `on ${cores} threads` : 'on one thread';
      assert.ok((await page.innerText('#result')).includes(on), `${await page.innerText('#result')} (expected ${on})`);
      assert.match(await page.innerText('#pk-state'), /on this device/);
      await shot(page, 'wallet-presentation.png');
      const { grey, w, h } = await canvasGrey(page, '#presentation-qr');
      writeY4m(path.join(dir, 'presentation.y4m'), grey, w, h);
    });

    // 3. The kiosk (same session, kept in its IndexedDB) sees the presentation: ACCEPTED.
    //    Dismissed, it sees the same QR again: REJECTED as a replay.
    let nextRequest;
    await withBrowser(kioskProfile, path.join(dir, 'presentation.y4m'), async (page) => {
      await page.goto(`${base}/kiosk.html`);
      const accepted = await verdict(page, 'accepted');
      assert.equal(accepted.code, 'accepted', accepted.reason);
      assert.equal(accepted.word, 'ACCEPTED');
      assert.match(await page.innerText('#verdict'), /Check the passport/);
      assert.equal(await page.getAttribute('#verdict', 'aria-live'), 'assertive');
      await shot(page, 'kiosk-accepted.png');
      await page.click('#next');
      const replay = await verdict(page, 'replayed');
      assert.equal(replay.code, 'replayed', replay.reason);
      assert.match(replay.reason, /already accepted/);
      await shot(page, 'kiosk-replay.png');
      await page.click('#next');
      nextRequest = await page.evaluate(() => document.body.dataset.request);
      assert.notEqual(nextRequest, requestText, 'a new session after the accepted presentation');
    });

    // 4. Another holder's presentation (proved natively for the kiosk's new request)
    //    against the first root, older than the kiosk accepts: REJECTED, saying why.
    fs.writeFileSync(path.join(dir, 'request.txt'), nextRequest);
    ok(['prove', '--pk', 'k.pk', '--vk-hash', vkHash, '--credential', 'c.json', '--path', 'c-old.json', '--holder-key', 'h2.key',
      '--policy', policyFile, '--request', 'request.txt', '--out', 'stale.bin']);
    const staleQr = JSON.parse(ok(['qr', 'presentation', '--json', 'stale.bin'])).text;
    await withBrowser(path.join(dir, 'draw-profile'), blank, async (page) => {
      await page.goto(`${base}/bare/wallet.html`);
      await page.evaluate(async (text) => {
        const { drawQr } = await import('/bare/qr.js');
        const c = document.createElement('canvas');
        c.id = 'stale';
        document.body.append(c);
        await drawQr(c, text, { scale: 4 });
      }, staleQr);
      const { grey, w, h } = await canvasGrey(page, '#stale');
      writeY4m(path.join(dir, 'stale.y4m'), grey, w, h);
    });
    await withBrowser(kioskProfile, path.join(dir, 'stale.y4m'), async (page) => {
      await page.goto(`${base}/kiosk.html`);
      const stale = await verdict(page, 'untrusted_root');
      assert.equal(stale.code, 'untrusted_root', stale.reason);
      assert.match(stale.reason, /checkpoint 2, .* old; this kiosk accepts roots at most 2 s old/);
      await shot(page, 'kiosk-stale-root.png');
    });
  } finally {
    server.close();
    service.kill('SIGTERM');
  }
});
