// A SMART Health Card into the wallet, in real headless Chromium: the card (signed here
// with a key made for the test, its issuer trusted by the registry service) is shown to
// the wallet's fake camera as its QR code; the wallet sends it to the registry service
// (`medzk serve --shc-trust-dir`, on loopback), which checks the signature and appends
// the records; the wallet stores the credentials, fetches their inclusion paths,
// downloads the proving key from its site (checked against the pinned hash, kept) and
// proves a border policy from the imported dose — a presentation `medzk verify` accepts
// against the service's signed head. Imported again after a reload, the card adds nothing
// (the same commitments). Screenshots go to bindings/wasm/tests/artifacts/.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from './server.mjs';
import { startService, withBrowser } from './common.mjs';
import { canvasGrey, writeY4m } from './camera.mjs';
import { cli, repo, tempDir } from '../node/helpers.mjs';

const dist = path.join(repo, 'bindings/wasm/dist');
const artifacts = path.join(repo, 'bindings/wasm/tests/artifacts');
const ISS = 'https://issuer.test/shc';
const PASSPHRASE = 'correct horse battery';

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const daysAgo = (n) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

/** A card issuer: a P-256 key and its key set (kid = the key's RFC 7638 thumbprint). */
function cardIssuer() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  const kid = b64u(crypto.createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
  return { privateKey, kid, jwks: { iss: ISS, keys: [{ kty, crv, x, y, kid, use: 'sig', alg: 'ES256' }] } };
}

/** A SMART Health Card's QR text (numeric mode, one chunk) for `bundle`. */
function cardQrText(issuer, bundle) {
  const header = b64u(JSON.stringify({ alg: 'ES256', zip: 'DEF', kid: issuer.kid }));
  const payload = b64u(zlib.deflateRawSync(JSON.stringify({
    iss: ISS, nbf: Math.floor(Date.now() / 1000) - 3600,
    vc: { type: ['https://smarthealth.cards#health-card'], credentialSubject: { fhirVersion: '4.0.1', fhirBundle: bundle } },
  })));
  const signature = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), { key: issuer.privateKey, dsaEncoding: 'ieee-p1363' });
  const jws = `${header}.${payload}.${b64u(signature)}`;
  return `shc:/${[...jws].map((c) => String(c.charCodeAt(0) - 45).padStart(2, '0')).join('')}`;
}

const dose = (n, date) => ({
  resourceType: 'Immunization', status: 'completed', occurrenceDateTime: date, lotNumber: 'FK1234',
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] },
  protocolApplied: [{ doseNumberPositiveInt: n, seriesDosesPositiveInt: 2 }],
});

test('a SMART Health Card QR through the camera: imported by the registry service, proven from, not duplicated', async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = tempDir('medzk-card-');
  const ok = (args) => {
    const r = cli(dir, args);
    assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const vkHash = ok(['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'card', '--pk', 'k.pk', '--vk', 'k.vk']).split(/\s+/).pop();
  ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  ok(['holder', 'keygen', '--out', 'h.key']);
  const issuer = cardIssuer();
  fs.mkdirSync(path.join(dir, 'trusted'));
  fs.writeFileSync(path.join(dir, 'trusted/issuer.json'), JSON.stringify(issuer.jwks));
  const card = cardQrText(issuer, {
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { fullUrl: 'resource:0', resource: { resourceType: 'Patient', birthDate: '1980-05-17' } },
      { fullUrl: 'resource:1', resource: dose(1, daysAgo(80)) },
      { fullUrl: 'resource:2', resource: dose(2, daysAgo(50)) },
    ],
  });

  const { service, url: serviceUrl, operatorKey } = await startService(dir, ['--shc-trust-dir', 'trusted', '--import-salt-key', 'salt.key']);
  assert.match(fs.readFileSync(path.join(dir, 'salt.key'), 'utf8'), /^[0-9a-f]{64}$/, 'the salt key, created on first use');

  // The site serves the published proving key under its verifying-key hash.
  const keys = path.join(dir, 'keys');
  fs.mkdirSync(keys);
  fs.copyFileSync(path.join(dir, 'k.pk'), path.join(keys, `${vkHash.replace(/^0x/, '').toLowerCase()}.pk`));
  const server = await serve([['/keys/', keys], ['/', dist]]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const blank = path.join(dir, 'blank.y4m');
  writeY4m(blank);
  try {
    // The card's QR code, drawn by the pages' own QR module, as the camera's picture.
    await withBrowser(path.join(dir, 'draw-profile'), blank, async (page) => {
      await page.goto(`${base}/wallet.html`);
      await page.evaluate(async (text) => {
        const { drawQr } = await import('/qr.js');
        const c = document.createElement('canvas');
        c.id = 'card';
        document.body.append(c);
        await drawQr(c, text, { scale: 3, ec: 'L' });
      }, card);
      const { grey, w, h } = await canvasGrey(page, '#card');
      writeY4m(path.join(dir, 'card.y4m'), grey, w, h);
    });

    const nonce = crypto.randomBytes(16).toString('hex');
    let presentation;
    const profile = path.join(dir, 'wallet-profile');
    await withBrowser(profile, path.join(dir, 'card.y4m'), async (page) => {
      await page.goto(`${base}/wallet.html`);
      await page.waitForSelector('#wallet-state[data-state="none"]', { timeout: 30000 });
      await page.fill('#passphrase', PASSPHRASE);
      await page.click('#create');
      await page.waitForSelector('#wallet-state[data-state="unlocked"]', { timeout: 30000 });
      await page.setInputFiles('#import', path.join(dir, 'h.key'));
      await page.waitForFunction(() => document.querySelectorAll('#items li').length === 1, null, { timeout: 10000 });
      await page.fill('#registry-url', serviceUrl);
      // The camera keeps reading the card: once the wallet has its key and the service's
      // address, the next reading imports it, and the wallet fetches the paths.
      await page.waitForSelector('#card-state[data-state="done"]', { timeout: 60000 });
      assert.match(await page.innerText('#card-state'), new RegExp(`Imported 3 record\\(s\\) from ${ISS}, its signature checked\\.`));
      await page.waitForSelector('#paths-state[data-state="done"], #paths-state[data-state="error"]', { timeout: 30000 });
      assert.match(await page.innerText('#paths-state'), /Fetched 3 inclusion path/);
      await page.waitForFunction(() => document.querySelectorAll('#items li').length === 7, null, { timeout: 10000 });
      const items = await page.innerText('#items');
      assert.match(items, /immunization cvx\|208/);
      assert.match(items, new RegExp(`from shc:${ISS}#`));
      await page.screenshot({ path: path.join(artifacts, 'wallet-card-imported.png'), fullPage: true });

      // A proof from the imported dose, for a verifier's session typed in.
      await page.fill('#verifier-id', 'border:NO:gate-1');
      await page.fill('#nonce', nonce);
      // No key file chosen: the wallet downloads the key from the site, checks it, keeps it.
      await page.fill('#vk-hash', vkHash);
      await page.setInputFiles('#policy', path.join(repo, 'examples/policies/border-vaccination.json'));
      await page.click('#prove');
      await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 120000 });
      assert.equal(await page.getAttribute('#result', 'data-state'), 'done', await page.innerText('#result'));
      presentation = await page.inputValue('#presentation');
      assert.match(await page.innerText('#pk-state'), /on this device \(checked\)/);
    });
    fs.writeFileSync(path.join(dir, 'p.bin'), Buffer.from(presentation, 'base64'));
    const verdict = cli(dir, ['verify', '--vk', 'k.vk', '--policy', path.join(repo, 'examples/policies/border-vaccination.json'),
      '--registry-url', serviceUrl, '--operator-key', operatorKey, '--verifier-id', 'border:NO:gate-1', '--nonce', nonce,
      '--presentation', 'p.bin']);
    assert.equal(verdict.status, 0, `${verdict.stdout}${verdict.stderr}`);
    assert.match(verdict.stdout, /ACCEPTED|accepted/);

    // Reloaded, the same card again: the service gives the same commitments, so the
    // wallet adds nothing.
    await withBrowser(profile, path.join(dir, 'card.y4m'), async (page) => {
      await page.goto(`${base}/wallet.html`);
      await page.waitForSelector('#wallet-state[data-state="locked"]', { timeout: 30000 });
      await page.fill('#passphrase', PASSPHRASE);
      await page.click('#unlock');
      await page.waitForSelector('#wallet-state[data-state="unlocked"]', { timeout: 30000 });
      await page.fill('#registry-url', serviceUrl);
      await page.waitForSelector('#card-state[data-state="done"]', { timeout: 60000 });
      assert.match(await page.innerText('#card-state'), /Imported 0 record\(s\) .*; 3 already in your wallet/);
      assert.equal(await page.locator('#items li[data-kind="credential"]').count(), 3);
    });
  } finally {
    server.close();
    service.kill('SIGTERM');
  }
});
