// Finding 1 of the hardening review, in the wasm API: MedzkProver takes a proving key only
// for the verifying-key hash the wallet pins, and refuses a tampered one.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cli, medzk, repo, tempDir } from './helpers.mjs';

// Offsets in a proving-key file (pinned by prover/tests/tampered_keys.rs): 16-byte
// envelope header, 32-byte SHA-256 digest of the payload, then the payload whose β₁ and
// δ₁ (96-byte uncompressed G1 points) follow the verifying key.
const BODY = 16;
const PAYLOAD = BODY + 32;
const BETA = PAYLOAD + 1256;
const DELTA = PAYLOAD + 1352;

function withDigest(bytes) {
  const out = Buffer.from(bytes);
  crypto.createHash('sha256').update(out.subarray(PAYLOAD)).digest().copy(out, BODY);
  return out;
}

function keys() {
  const dir = tempDir('medzk-tamper-');
  const r = cli(dir, ['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'tamper', '--pk', 'k.pk', '--vk', 'k.vk']);
  assert.equal(r.status, 0, r.stderr);
  return { pk: fs.readFileSync(path.join(dir, 'k.pk')), vkHash: r.stdout.trim().split(/\s+/).pop() };
}

test('a correct key loads for its pinned hash', () => {
  const { pk, vkHash } = keys();
  const prover = new medzk.MedzkProver(pk, vkHash);
  assert.equal(prover.keyHash, vkHash);
  assert.equal(new medzk.MedzkProver(pk, `0x${vkHash}`).keyHash, vkHash);
});

test('tampered proving key leaking the witness is refused (δ₁ = identity)', () => {
  const { pk, vkHash } = keys();
  const bad = Buffer.from(pk);
  bad.fill(0, DELTA, DELTA + 96);
  bad[DELTA] = 0x40; // the uncompressed encoding of the identity
  assert.throws(() => new medzk.MedzkProver(withDigest(bad), vkHash), /δ in G1 is the identity/);
});

test('tampered proving key without randomness is refused (δ₁ = β₁ = identity)', () => {
  const { pk, vkHash } = keys();
  const bad = Buffer.from(pk);
  for (const at of [BETA, DELTA]) {
    bad.fill(0, at, at + 96);
    bad[at] = 0x40;
  }
  assert.throws(() => new medzk.MedzkProver(withDigest(bad), vkHash), /proving key does not match its verifying key/);
});

test('a proving key whose δ₁ is another point is refused', () => {
  const { pk, vkHash } = keys();
  const bad = Buffer.from(pk);
  pk.copy(bad, DELTA, BETA, BETA + 96);
  assert.throws(() => new medzk.MedzkProver(withDigest(bad), vkHash), /β and δ in G1 do not match/);
});

test('a proving key for another verifying key is refused', () => {
  const { pk } = keys();
  assert.throws(() => new medzk.MedzkProver(pk, 'ab'.repeat(32)), /not the pinned/);
  assert.throws(() => new medzk.MedzkProver(pk, ''), /verifying-key hash/);
  assert.ok(fs.existsSync(path.join(repo, 'bindings/wasm')));
});
