// Shared by the browser tests: Chromium with a fake camera, and `medzk serve` on loopback.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cli, medzkBin, repo } from '../node/helpers.mjs';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream'];

/**
 * Runs `fn(page)` in Chromium whose camera shows `camera` (a Y4M file); `profile` keeps
 * IndexedDB between launches. Fails on any uncaught error of the page.
 */
export async function withBrowser(profile, camera, fn) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...FLAGS, `--use-file-for-fake-video-capture=${camera}`],
    viewport: { width: 1100, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

/**
 * Starts `medzk serve` in `dir` on a free loopback port for its reg.redb, with a new
 * operator key (operator.key) and no enrolled issuers (`extra` arguments added); resolves
 * to { service, url, operatorKey } once it listens.
 */
export async function startService(dir, extra = []) {
  const keygen = cli(dir, ['registry', 'operator-keygen', '--out', 'operator.key']);
  assert.equal(keygen.status, 0, keygen.stderr);
  const operatorKey = JSON.parse(fs.readFileSync(path.join(dir, 'operator.key'), 'utf8')).public;
  fs.writeFileSync(path.join(dir, 'issuers.json'), '[]');
  const service = spawn(medzkBin, ['serve', '--registry', 'reg.redb', '--name', 'registry:NO', '--operator-secret', 'operator.key',
    '--issuers', 'issuers.json', '--listen', '127.0.0.1:0', ...extra], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let err = '';
    service.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    service.on('exit', (code) => reject(new Error(`medzk serve exited (${code}): ${err}`)));
    setTimeout(() => reject(new Error(`medzk serve did not start: ${err}`)), 20000);
  });
  return { service, url, operatorKey };
}

/**
 * A kiosk site in `dir`/site (scripts/kiosk-site.sh): the verifying key `vkFile`, the
 * policy `policyFile` (its hash pinned) and `config` (verifier id, registry, …) completed
 * with them.
 */
export function kioskSite(dir, { vkFile, vkHash, policyFile, config }) {
  const site = path.join(dir, 'site');
  fs.mkdirSync(site);
  fs.copyFileSync(vkFile, path.join(site, 'statement.vk'));
  fs.copyFileSync(policyFile, path.join(site, 'policy.json'));
  const hashed = cli(dir, ['policy', 'hash', policyFile]);
  assert.equal(hashed.status, 0, hashed.stderr);
  const policyHash = hashed.stdout.trim().split(/\s+/)[0];
  fs.writeFileSync(path.join(site, 'config.json'), JSON.stringify({
    ...config, verifying_key: 'statement.vk', vk_hash: vkHash, policy: 'policy.json', policy_hash: policyHash,
  }, null, 2));
  execFileSync(path.join(repo, 'scripts/kiosk-site.sh'), [site], { stdio: 'pipe' });
  return site;
}
