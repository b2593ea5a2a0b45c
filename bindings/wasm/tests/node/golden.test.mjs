// The wasm verifier gives every case of the golden corpus the verdict the native verifier
// gives it (verifier/tests/golden.rs checks the same manifest natively).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusVerifier, manifest, medzk, sessionOf, vectors } from './helpers.mjs';

test('wasm verdicts match the golden manifest', () => {
  const m = manifest();
  const verifier = corpusVerifier(m);
  assert.equal(verifier.keyHash, m.session.key_hash);
  assert.equal(verifier.policyHash, m.session.policy_hash);
  const invalid = m.cases.filter((c) => c.expected !== 'accepted');
  assert.ok(invalid.length >= 10, `${invalid.length} invalid cases`);
  for (const c of m.cases) {
    const bytes = fs.readFileSync(path.join(vectors, c.file));
    const s = sessionOf(m, c);
    const verdict = verifier.verify(bytes, s.verifierId, s.nonce, s.today);
    assert.equal(verdict.code, c.expected, `${c.name}: ${verdict.reason}`);
    assert.equal(verdict.accepted, c.expected === 'accepted', c.name);
    if (verdict.accepted) {
      assert.match(verdict.nullifier, /^0x[0-9a-f]{64}$/);
      assert.equal(verdict.statement, 'vaccination/v1/depth32');
    } else {
      assert.ok(verdict.reason.length > 0);
    }
  }
});

test('the policy hash is the one the native verifier computes', () => {
  const m = manifest();
  const policy = fs.readFileSync(path.join(vectors, 'policy.json'), 'utf8');
  assert.equal(medzk.policyHash(policy), m.session.policy_hash);
});
