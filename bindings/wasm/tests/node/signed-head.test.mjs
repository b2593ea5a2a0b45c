// @medzk/verifier checks a registry operator's signed head itself (the kiosk's only source
// of trusted roots): signature under the pinned key, registry name, checkpoint chain, age.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkSignedHead } from '../../packages/verifier/node.js';
import { cli, tempDir } from './helpers.mjs';

const dir = tempDir('medzk-head-');
const ok = (args) => {
  const r = cli(dir, args);
  assert.equal(r.status, 0, `medzk ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
ok(['registry', 'init', '--registry', 'reg.redb', '--depth', '8']);
const holder = ok(['holder', 'keygen', '--out', 'h.key']);
for (const out of ['a.json', 'b.json']) {
  ok(['issue', 'immunization', '--registry', 'reg.redb', '--holder-id', holder, '--issuer', 'x', '--out', out,
    '--vaccine', 'cvx|208', '--date', '2026-10-01', '--dose', '1', '--series', '2', '--lot', 'L']);
}
ok(['registry', 'operator-keygen', '--out', 'operator.key']);
ok(['registry', 'operator-keygen', '--out', 'other.key']);
ok(['registry', 'sign-head', '--registry', 'reg.redb', '--operator-secret', 'operator.key', '--name', 'registry:NO', '--out', 'head.json']);
const headText = fs.readFileSync(path.join(dir, 'head.json'), 'utf8');
const head = JSON.parse(headText);
const operatorKey = JSON.parse(fs.readFileSync(path.join(dir, 'operator.key'), 'utf8')).public;
const otherKey = JSON.parse(fs.readFileSync(path.join(dir, 'other.key'), 'utf8')).public;
const now = head.signed_at + 10;
const check = { operatorKey, registry: 'registry:NO', now, maxRootAge: 3600, maxHeadAge: 600 };

test('a signed head gives the roots to trust now', async () => {
  const r = await checkSignedHead(headText, check);
  assert.equal(r.registry, 'registry:NO');
  assert.equal(r.signedAt, head.signed_at);
  assert.equal(r.checkpoints.length, 3);
  assert.deepEqual(r.checkpoints.map((c) => c.event.event), ['create', 'append', 'append']);
  const latest = head.checkpoints.at(-1).root;
  assert.equal(r.trustedRoots[0], latest);
  assert.equal(r.trustedRoots.length, 3);
  // Earlier roots older than the maximum are not trusted; the latest always is.
  const strict = await checkSignedHead(head, { ...check, maxRootAge: 0, now: head.checkpoints.at(-1).timestamp + 5 });
  assert.deepEqual(strict.trustedRoots, [latest]);
});

test('a head under another key, for another registry, altered or too old is refused with the reason', async () => {
  const refused = (h, c, pattern) => assert.rejects(checkSignedHead(h, c), pattern);
  await refused(headText, { ...check, operatorKey: otherKey }, /signed by operator .* not the pinned operator/);
  await refused(headText, { ...check, registry: 'registry:SE' }, /for registry "registry:NO", not "registry:SE"/);
  await refused(headText, { ...check, now: head.signed_at + 601 }, /601 s old; at most 600 s/);
  await refused(headText, { ...check, now: head.signed_at - 601 }, /at most 600 s/);
  const altered = structuredClone(head);
  altered.checkpoints[1].leaves += 1;
  await refused(altered, check, /checkpoints do not form a chain|wrong hash/);
  const resigned = structuredClone(head);
  resigned.signed_at += 1;
  await refused(resigned, check, /signature does not verify/);
  const dropped = structuredClone(head);
  dropped.checkpoints.splice(1, 1);
  await refused(dropped, check, /does not follow/);
  await refused('{not json', check, /signed head/);
  await refused(headText, { ...check, operatorKey: 'zz' }, /operator key/);
  await refused(headText, { ...check, now: 1.5 }, /whole seconds/);
});
