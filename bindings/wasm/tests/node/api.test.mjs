// Malformed input is an exception with a message or a rejected verdict — never a crash —
// and the instances stay usable afterwards.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { corpusVerifier, manifest, medzk, sessionOf, vectors } from './helpers.mjs';

const m = manifest();
const valid = fs.readFileSync(path.join(vectors, 'valid.bin'));
const s = sessionOf(m, {});

function throwsWithMessage(fn, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.match(e.message, pattern);
    return true;
  });
}

test('bad constructor arguments throw with a message', () => {
  const vk = fs.readFileSync(path.join(vectors, 'vaccination.vk'));
  const policy = fs.readFileSync(path.join(vectors, 'policy.json'), 'utf8');
  throwsWithMessage(() => new medzk.MedzkVerifier(new Uint8Array([1, 2, 3]), policy, []), /verifying key/);
  throwsWithMessage(() => new medzk.MedzkVerifier(vk, '{not json', []), /policy: invalid policy JSON/);
  throwsWithMessage(() => new medzk.MedzkVerifier(vk, '{"statement":"x"}', []), /policy/);
  throwsWithMessage(() => new medzk.MedzkVerifier(vk, policy, ['0x12']), /trusted root/);
  throwsWithMessage(() => new medzk.MedzkVerifier(vk, policy, [42]), /expected strings/);
  throwsWithMessage(() => new medzk.MedzkProver(new Uint8Array(100), '00'.repeat(32)), /proving key/);
  throwsWithMessage(() => new medzk.MedzkProver(new Uint8Array(100), 'not a hash'), /verifying-key hash/);
  throwsWithMessage(() => medzk.policyHash(''), /policy/);
  throwsWithMessage(() => medzk.describePresentation(new Uint8Array(7)), /presentation/);
});

test('garbage presentations are rejected and the verifier keeps working', () => {
  const verifier = corpusVerifier(m);
  for (let i = 0; i < 300; i++) {
    const len = i % 3 === 0 ? valid.length : Math.floor(Math.random() * 400);
    const bytes = crypto.randomBytes(len);
    if (i % 2 === 0 && len >= 16) valid.copy(bytes, 0, 0, 16); // a valid header, random body
    const verdict = verifier.verify(bytes, s.verifierId, s.nonce, s.today);
    assert.equal(verdict.accepted, false);
    assert.ok(['malformed', 'rejected', 'wrong_key', 'untrusted_root', 'stale_date', 'wrong_statement'].includes(verdict.code), verdict.code);
  }
  // Flip every byte of the valid presentation in turn.
  for (let i = 0; i < valid.length; i++) {
    const bytes = Buffer.from(valid);
    bytes[i] ^= 0x20;
    assert.equal(verifier.verify(bytes, s.verifierId, s.nonce, s.today).accepted, false, `byte ${i}`);
  }
  throwsWithMessage(() => verifier.verify(valid, s.verifierId, s.nonce, '24/11/2026'), /today/);
  assert.equal(verifier.verify(valid, '', s.nonce, s.today).code, 'invalid_session');
  assert.equal(verifier.verify(valid, s.verifierId, new Uint8Array(3), s.today).code, 'invalid_session');
  // Still usable.
  assert.equal(verifier.verify(valid, s.verifierId, s.nonce, s.today).code, 'accepted');
});

test('describePresentation shows only public values', () => {
  const info = JSON.parse(medzk.describePresentation(valid));
  assert.deepEqual(Object.keys(info).sort(), ['bytes', 'key_hash', 'nullifier', 'root', 'statement', 'today']);
  assert.equal(info.bytes, 308);
  assert.equal(info.root, m.session.trusted_roots[0]);
});

test('request and presentation QR texts round-trip and refuse other codes', () => {
  const verifier = corpusVerifier(m);
  const text = verifier.request(s.verifierId, s.nonce, s.today, 'https://border.example/policy.json');
  assert.match(text, /^MZQ1:[0-9A-Z $%*+\-./:]+$/);
  const r = JSON.parse(medzk.parseRequest(text));
  assert.equal(r.verifier_id, s.verifierId);
  assert.equal(r.nonce, Buffer.from(s.nonce).toString('hex'));
  assert.equal(r.today, s.today);
  assert.equal(r.policy_hash, verifier.policyHash);
  assert.equal(r.vk_hash, verifier.keyHash);
  assert.equal(r.policy_url, 'https://border.example/policy.json');
  const qr = medzk.presentationQrText(valid);
  assert.equal(qr.length, 5 + 462);
  assert.deepEqual(Buffer.from(medzk.presentationFromQrText(qr)), valid);
  assert.equal(verifier.verify(medzk.presentationFromQrText(qr), s.verifierId, s.nonce, s.today).code, 'accepted');
  throwsWithMessage(() => medzk.parseRequest(qr), /request/);
  throwsWithMessage(() => medzk.parseRequest('MZQ1:aa'), /request/);
  throwsWithMessage(() => medzk.presentationFromQrText(text), /presentation QR/);
  throwsWithMessage(() => verifier.request('', s.nonce, s.today), /request/);
});
