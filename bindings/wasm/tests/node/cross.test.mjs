// A presentation proved in wasm verifies natively, and one proved natively verifies in
// wasm — for the vaccination statement and for a general policy.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, hex, medzk, repo, tempDir } from './helpers.mjs';

const DAY = '2026-11-24';
const TODAY = DAY;
const NONCE = '7365737369f76e2d6e6f6e6365303031';
const VERIFIER = 'border:NO:kiosk-test';

function ok(cwd, args) {
  const r = cli(cwd, args);
  assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function registryWith(dir, issues) {
  ok(dir, ['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
  const holder = ok(dir, ['holder', 'keygen', '--out', 'h.key']);
  for (const [kind, out, ...args] of issues) {
    ok(dir, ['issue', kind, '--registry', 'reg.redb', '--holder-id', holder, '--issuer', 'x', '--out', out, ...args]);
  }
  // Paths fetched after the last append all lead to the same root.
  issues.forEach((_, i) => {
    ok(dir, ['registry', 'path', '--registry', 'reg.redb', '--index', String(i), '--out', `path${i}.json`]);
  });
  return JSON.parse(fs.readFileSync(path.join(dir, 'path0.json'), 'utf8')).root;
}

function crossCheck(dir, statementArgs, policyFile, credentials, TODAY = DAY) {
  const vkHash = ok(dir, ['setup', ...statementArgs, '--depth', '8', '--seed', 'cross', '--pk', 'k.pk', '--vk', 'k.vk'])
    .split(/\s+/).pop();
  const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
  const policy = fs.readFileSync(policyFile, 'utf8');
  const root = JSON.parse(read('path0.json')).root;
  const creds = `[${credentials.map((c) => read(c)).join(',')}]`;
  const paths = `[${credentials.map((_, i) => read(`path${i}.json`)).join(',')}]`;
  // Proved in wasm, verified natively.
  const prover = new medzk.MedzkProver(fs.readFileSync(path.join(dir, 'k.pk')), vkHash);
  const bytes = prover.prove(policy, creds, read('h.key'), paths, '[]', VERIFIER, Buffer.from(NONCE, 'hex'), TODAY);
  fs.writeFileSync(path.join(dir, 'wasm.bin'), bytes);
  const accepted = ok(dir, [
    'verify', '--vk', 'k.vk', '--policy', policyFile, '--root', root, '--verifier-id', VERIFIER,
    '--nonce', NONCE, '--today', TODAY, '--presentation', 'wasm.bin',
  ]);
  assert.match(accepted, /^ACCEPTED/);
  // Proved natively, verified in wasm.
  const credArgs = credentials.flatMap((c, i) => ['--credential', c, '--path', `path${i}.json`]);
  ok(dir, [
    'prove', '--pk', 'k.pk', '--vk-hash', vkHash, '--holder-key', 'h.key', ...credArgs, '--policy', policyFile,
    '--verifier-id', VERIFIER, '--nonce', NONCE, '--today', TODAY, '--out', 'native.bin',
  ]);
  const verifier = new medzk.MedzkVerifier(fs.readFileSync(path.join(dir, 'k.vk')), policy, [root]);
  const native = fs.readFileSync(path.join(dir, 'native.bin'));
  const verdict = verifier.verify(native, VERIFIER, Buffer.from(NONCE, 'hex'), TODAY);
  assert.equal(verdict.code, 'accepted', verdict.reason);
  // And each side rejects the other's proof under another nonce.
  const other = Buffer.from(NONCE.replace(/^73/, '74'), 'hex');
  assert.equal(verifier.verify(bytes, VERIFIER, other, TODAY).code, 'rejected');
  // The wasm prover explains an unmet policy instead of proving.
  return { prover, verifier, policy, creds, paths, hkey: read('h.key'), bytes };
}

test('vaccination: wasm and native proofs verify on the other side', () => {
  const dir = tempDir('medzk-cross-');
  registryWith(dir, [
    ['immunization', 'c0.json', '--vaccine', 'cvx|208', '--date', '2026-10-01', '--dose', '2', '--series', '2', '--lot', 'L'],
  ]);
  const policyFile = path.join(repo, 'examples/policies/border-vaccination.json');
  const { prover, policy, creds, paths, hkey } = crossCheck(dir, ['--statement', 'vaccination'], policyFile, ['c0.json']);
  assert.throws(
    () => prover.prove(policy, creds, hkey, paths, '[]', VERIFIER, Buffer.from(NONCE, 'hex'), '2026-10-05'),
    /cannot prove: the dose was given 4 day\(s\) ago; at least 14 are required/,
  );
  // Still usable after the error.
  assert.equal(prover.prove(policy, creds, hkey, paths, '[]', VERIFIER, Buffer.from(NONCE, 'hex'), TODAY).length, 308);
});

test('general policy: wasm and native proofs verify on the other side', () => {
  const dir = tempDir('medzk-cross-');
  registryWith(dir, [
    ['demographics', 'c0.json', '--birth', '1980-02-29', '--gender', 'gender|male'],
    ['condition', 'c1.json', '--diagnosis', 'icd10|E11.9', '--onset', '2020-05-05'],
    ['observation', 'c2.json', '--test', 'loinc|4548-4', '--date', '2026-11-20', '--value', '71'],
    ['observation', 'c3.json', '--test', 'loinc|62238-1', '--date', '2026-06-01', '--value', '60'],
  ]);
  const policyFile = path.join(repo, 'examples/policies/trial-t2d.json');
  crossCheck(dir, ['--statement', 'policy'], policyFile, ['c0.json', 'c1.json', 'c2.json', 'c3.json']);
});

test('hour windows: both sides prove and verify at the request\'s minute', () => {
  const dir = tempDir('medzk-cross-');
  registryWith(dir, [
    ['observation', 'c0.json', '--test', 'loinc|94500-6', '--date', '2026-11-22T10:01+01:00', '--value', '0',
      '--interpretation', 'sct|260415000'],
  ]);
  const policyFile = path.join(dir, 'tested.json');
  fs.writeFileSync(policyFile, JSON.stringify({
    statement: 'policy', version: 1, scope: VERIFIER,
    records: [{ name: 'test', kind: 'observation' }],
    groups: [{ name: 'tested', clauses: [
      { record: 'test', slot: 'ext', op: 'eq', value: { code: 'sct|260415000' } },
      { record: 'test', slot: 'time', op: 'time_within', min: 0, max: 48 },
    ] }],
  }));
  // Sampled 09:01 UTC on the 22nd: 48 h later is 09:01 on the 24th.
  const clock = '2026-11-24T09:01Z';
  const { prover, verifier, policy, creds, paths, hkey, bytes } =
    crossCheck(dir, ['--statement', 'policy'], policyFile, ['c0.json'], clock);
  assert.equal(verifier.needsMinute, true);
  const n = Buffer.from(NONCE, 'hex');
  // Another minute is another statement; a date alone cannot set the policy.
  assert.equal(verifier.verify(bytes, VERIFIER, n, '2026-11-24T09:00Z').code, 'rejected');
  const dayOnly = verifier.verify(bytes, VERIFIER, n, DAY);
  assert.equal(dayOnly.code, 'clock');
  assert.match(dayOnly.reason, /time of day/);
  // The request states the minute (version 2), and the wallet proves at its clock.
  assert.throws(() => verifier.request(VERIFIER, n, DAY), /time of day/);
  const request = JSON.parse(medzk.parseRequest(verifier.request(VERIFIER, n, clock)));
  assert.equal(request.clock, clock);
  assert.equal(request.today, DAY);
  assert.equal(request.policy_hash, verifier.policyHash);
  // The CLI asks for the minute rather than verify or prove at a guessed one.
  const root = JSON.parse(fs.readFileSync(path.join(dir, 'path0.json'), 'utf8')).root;
  for (const args of [
    ['verify', '--vk', 'k.vk', '--policy', policyFile, '--root', root, '--verifier-id', VERIFIER, '--nonce', NONCE,
      '--today', DAY, '--presentation', 'wasm.bin'],
    ['prove', '--pk', 'k.pk', '--vk-hash', prover.keyHash, '--holder-key', 'h.key', '--credential', 'c0.json',
      '--path', 'path0.json', '--policy', policyFile, '--verifier-id', VERIFIER, '--nonce', NONCE, '--out', 'x.bin'],
  ]) {
    const r = cli(dir, args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /hour windows; give --today with the date and minute/);
  }
  // One minute later the sample is 48 h 1 min old: the prover says so instead of proving.
  assert.throws(
    () => prover.prove(policy, creds, hkey, paths, '[]', VERIFIER, n, '2026-11-24T09:02Z'),
    /48 h 1 min old/,
  );
});

test('bad prover input throws with a message', () => {
  const prover = (() => {
    const dir = tempDir('medzk-cross-');
    const out = ok(dir, ['setup', '--statement', 'vaccination', '--depth', '8', '--seed', 'cross', '--pk', 'k.pk', '--vk', 'k.vk']);
    return new medzk.MedzkProver(fs.readFileSync(path.join(dir, 'k.pk')), out.split(/\s+/).pop());
  })();
  const policy = fs.readFileSync(path.join(repo, 'examples/policies/border-vaccination.json'), 'utf8');
  const n = Buffer.from(NONCE, 'hex');
  assert.throws(() => prover.prove(policy, '[]', '{}', '[]', '[]', VERIFIER, n, TODAY), /holder key/);
  assert.throws(() => prover.prove(policy, 'nope', '{}', '[]', '[]', VERIFIER, n, TODAY), /holder key|credentials/);
  assert.throws(() => prover.prove('{}', '[]', '{}', '[]', '[]', VERIFIER, n, TODAY), /policy/);
  assert.equal(hex(new Uint8Array([1, 2])), '0102');
});
