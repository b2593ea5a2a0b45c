// A kiosk whose policy has hour windows states its minute in each request and renews the
// request every five minutes; a traveller who scanned the request just before a renewal
// is still accepted for two minutes (the replaced request's minute), and not after that.
// Headless Chromium with Playwright's clock; presentations proved by `medzk prove
// --request` for the kiosk's request texts, given to the kiosk as pasted text.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { kioskSite, startService, withBrowser } from './common.mjs';
import { writeY4m } from './camera.mjs';
import { cli, repo, tempDir } from '../node/helpers.mjs';

const dist = path.join(repo, 'bindings/wasm/dist');
const artifacts = path.join(repo, 'bindings/wasm/tests/artifacts');
const VERIFIER = 'border:NO:gate-5';

test('a renewed minute request stays valid for two minutes, then not', async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = tempDir('medzk-renewal-');
  const ok = (args) => {
    const r = cli(dir, args);
    assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  // A negative test sampled two hours ago, at most 48 hours old at the kiosk's minute.
  const policyFile = path.join(dir, 'tested.json');
  fs.writeFileSync(policyFile, JSON.stringify({
    statement: 'policy', version: 1, scope: 'border:NO', shape: { records: 1, clauses: 2, groups: 1 },
    records: [{ name: 'test', kind: 'observation' }],
    groups: [{ name: 'tested', clauses: [
      { record: 'test', slot: 'ext', op: 'eq', value: { code: 'sct|260415000' } },
      { record: 'test', slot: 'time', op: 'time_within', min: 0, max: 48 },
    ] }],
  }));
  const vkHash = ok(['setup', '--statement', 'policy', '--records', '1', '--clauses', '2', '--groups', '1', '--depth', '8',
    '--seed', 'renewal', '--pk', 'k.pk', '--vk', 'k.vk']).split(/\s+/).pop();
  ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  const sampled = `${new Date(Date.now() - 2 * 3600_000).toISOString().slice(0, 16)}Z`;
  for (const n of [1, 2]) {
    const holder = ok(['holder', 'keygen', '--out', `h${n}.key`]);
    ok(['issue', 'observation', '--registry', 'reg.redb', '--holder-id', holder, '--issuer', 'lab', '--out', `c${n}.json`,
      '--test', 'loinc|94500-6', '--date', sampled, '--value', '0', '--interpretation', 'sct|260415000']);
  }
  for (const n of [1, 2]) ok(['registry', 'path', '--registry', 'reg.redb', '--index', String(n - 1), '--out', `p${n}.json`]);
  const { service, url: serviceUrl, operatorKey } = await startService(dir);
  const site = kioskSite(dir, {
    vkFile: path.join(dir, 'k.vk'), vkHash, policyFile,
    config: {
      verifier_id: VERIFIER,
      registry: { name: 'registry:NO', head_url: `${serviceUrl}/v1/head`, operator_key: operatorKey, max_head_age_s: 3600, max_root_age_s: 3600 },
    },
  });
  const server = await serve([['/', site]]);
  const blank = path.join(dir, 'blank.y4m');
  writeY4m(blank);

  /** The presentation QR text of holder `n` for the request text `request`. */
  const present = (n, request, name) => {
    fs.writeFileSync(path.join(dir, `${name}.txt`), request);
    ok(['prove', '--pk', 'k.pk', '--vk-hash', vkHash, '--credential', `c${n}.json`, '--path', `p${n}.json`,
      '--holder-key', `h${n}.key`, '--policy', policyFile, '--request', `${name}.txt`, '--out', `${name}.bin`]);
    return JSON.parse(ok(['qr', 'presentation', '--json', `${name}.bin`])).text;
  };
  const judge = async (page, text) => {
    await page.evaluate(() => { document.querySelector('details').open = true; });
    await page.fill('#presentation', text);
    await page.click('#verify');
    await page.waitForSelector('#verdict:not([hidden])', { timeout: 30000 });
    const verdict = { code: await page.getAttribute('#verdict', 'data-code'), reason: await page.innerText('#verdict-reason') };
    await page.click('#next');
    return verdict;
  };
  try {
    await withBrowser(path.join(dir, 'kiosk-profile'), blank, async (page) => {
      await page.clock.install({ time: new Date() });
      await page.goto(`http://127.0.0.1:${server.address().port}/kiosk.html`);
      await page.waitForSelector('#status[data-ready="true"], #status[data-ready="error"]', { timeout: 30000 });
      assert.equal(await page.getAttribute('#status', 'data-ready'), 'true', await page.innerText('body'));
      const first = await page.evaluate(() => document.body.dataset.request);
      assert.match(await page.innerText('#today'), /T\d\d:\d\dZ$/, 'a minute request');
      // Five and a half minutes on, the kiosk shows a new request.
      await page.clock.fastForward('05:30');
      await page.waitForFunction((old) => document.body.dataset.request !== old, first, { timeout: 10000 });
      const second = await page.evaluate(() => document.body.dataset.request);
      // A traveller who scanned the first request just before: still accepted.
      const late = await judge(page, present(1, first, 'late'));
      assert.equal(late.code, 'accepted', late.reason);
      await page.screenshot({ path: path.join(artifacts, 'kiosk-renewed-request-accepted.png'), fullPage: true });
      // Two and a half minutes later the first request has expired; the second stands.
      await page.clock.fastForward('02:30');
      const expired = await judge(page, present(2, first, 'expired'));
      assert.notEqual(expired.code, 'accepted', 'a request replaced more than two minutes ago');
      assert.equal(await page.evaluate(() => document.body.dataset.request), second);
      const current = await judge(page, present(2, second, 'current'));
      assert.equal(current.code, 'accepted', current.reason);
    });
  } finally {
    server.close();
    service.kill('SIGTERM');
  }
});
