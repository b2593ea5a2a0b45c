// The two npm packages as their users get them: `npm pack` of each, installed from the
// tarballs into a new project, used from there (golden corpus through the verifier
// package, a proof in the prover package's worker), and their types compiled by tsc.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { cli, manifest, packages, repo, tempDir, vectors } from './helpers.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const wasmDir = path.resolve(here, '../..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const packed = tempDir('medzk-pack-');
const pack = (name) => JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packed], path.join(packages, name)))[0];
const verifierPack = pack('verifier');
const proverPack = pack('prover');

// A new project that installs both tarballs (no registry needed: neither has dependencies).
const project = tempDir('medzk-consumer-');
fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(packed, verifierPack.filename), path.join(packed, proverPack.filename)], project);
for (const f of ['verify-corpus.mjs', 'prove.mjs', 'consumer.ts']) {
  fs.copyFileSync(path.join(here, '../packages', f), path.join(project, f));
}

test('npm pack: each package holds its entry points, types, wasm, README and licences', () => {
  const files = (p) => p.files.map((f) => f.path).sort();
  for (const [p, wasm] of [[verifierPack, 'medzk_wasm_verifier'], [proverPack, 'medzk_wasm']]) {
    for (const f of ['package.json', 'index.d.ts', 'node.js', 'web.js', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', `wasm/${wasm}.js`, `wasm/${wasm}_bg.wasm`]) {
      assert.ok(files(p).includes(f), `${p.name}: ${f} in ${files(p)}`);
    }
  }
  // The prover's threaded build, with the worker helper its threads start from.
  for (const f of ['wasm-threads/medzk_wasm.js', 'wasm-threads/medzk_wasm_bg.wasm', 'worker-web.js']) {
    assert.ok(files(proverPack).includes(f), `${proverPack.name}: ${f}`);
  }
  assert.ok(files(proverPack).some((f) => /^wasm-threads\/snippets\/.+\/workerHelpers[.\w-]*\.js$/.test(f)), `${files(proverPack)}`);
  assert.equal(verifierPack.name, '@medzk/verifier');
  assert.equal(proverPack.name, '@medzk/prover');
  const cargoVersion = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8').match(/\nversion = "([^"]+)"/)[1];
  assert.equal(verifierPack.version, cargoVersion);
  assert.equal(proverPack.version, cargoVersion);
  // The kiosk never downloads the prover.
  assert.ok(!files(verifierPack).some((f) => f.includes('prover') || f === 'wasm/medzk_wasm_bg.wasm'));
});

test('the verifier package is at most 250 KB gzipped, and so is what a page downloads of it', () => {
  const tarball = fs.statSync(path.join(packed, verifierPack.filename)).size;
  assert.ok(tarball <= 250_000, `npm tarball ${tarball} bytes`);
  const dir = path.join(packages, 'verifier');
  const download = ['web.js', 'api.js', 'wasm/medzk_wasm_verifier.js', 'wasm/medzk_wasm_verifier_bg.wasm']
    .map((f) => zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length)
    .reduce((a, b) => a + b);
  assert.ok(download <= 250_000, `web download ${download} bytes gzipped`);
});

test('the packed verifier, installed in a new project, verifies the golden corpus', () => {
  const out = JSON.parse(run('node', ['verify-corpus.mjs', vectors], project));
  const m = manifest();
  assert.equal(out.keyHash, m.session.key_hash);
  assert.equal(out.policyHash, m.session.policy_hash);
  assert.equal(Object.keys(out.verdicts).length, m.cases.length);
  for (const c of m.cases) {
    const v = out.verdicts[c.name];
    assert.equal(v.code, c.expected, `${c.name}: ${v.reason}`);
    assert.equal(v.accepted, c.expected === 'accepted');
    if (v.accepted) assert.match(v.nullifier, /^0x[0-9a-f]{64}$/);
    else assert.ok(v.reason.length > 0);
  }
});

test('the packed prover proves in a worker, cancels, and refuses a key that is not pinned', () => {
  const dir = tempDir('medzk-pkg-prove-');
  const ok = (args) => {
    const r = cli(dir, args);
    assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const vkHash = ok(['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'pkg', '--pk', 'k.pk', '--vk', 'k.vk']).split(/\s+/).pop();
  fs.writeFileSync(path.join(dir, 'k.vk-hash'), vkHash);
  ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  const holder = ok(['holder', 'keygen', '--out', 'h.key']);
  ok(['issue', 'immunization', '--registry', 'reg.redb', '--holder-id', holder, '--issuer', 'x', '--out', 'c.json',
    '--vaccine', 'cvx|208', '--date', '2026-10-01', '--dose', '2', '--series', '2', '--lot', 'L']);
  ok(['registry', 'path', '--registry', 'reg.redb', '--index', '0', '--out', 'p.json']);
  fs.copyFileSync(path.join(repo, 'examples/policies/border-vaccination.json'), path.join(dir, 'policy.json'));
  const r = JSON.parse(run('node', ['prove.mjs', dir], project));
  assert.equal(r.wrongKey, 'invalid-key');
  assert.equal(r.statement, 'vaccination/v1/depth8');
  assert.equal(r.threads, 1);
  assert.equal(r.twoThreads, 'TypeError');
  assert.deepEqual(r.stages, ['starting', 'proving', 'done']);
  assert.ok(r.ticksWhileProving > 0, 'the caller\'s event loop ran while proving');
  assert.equal(r.verdict, 'accepted');
  assert.equal(r.otherNonce, 'rejected');
  assert.equal(r.cancelled, 'cancelled');
  assert.equal(r.afterCancel, 'accepted');
  assert.equal(r.unmet, 'refused');
  assert.equal(r.afterClose, 'closed');
});

test('the packages\' TypeScript types are precise: a strict consumer compiles, misuse does not', () => {
  for (const p of ['verifier', 'prover']) {
    const types = fs.readFileSync(path.join(packages, p, 'index.d.ts'), 'utf8');
    // `any` as a type (after `:`, `<`, `|`, `,`, `(` or `=`), not the word in a comment.
    assert.doesNotMatch(types, /[:<|,(=]\s*any\b/, `${p}/index.d.ts uses any`);
  }
  const tsc = path.join(wasmDir, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', 'consumer.ts'];
  try {
    run('node', [tsc, ...args], project);
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
});
