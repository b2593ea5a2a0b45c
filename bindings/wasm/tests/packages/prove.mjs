// Run inside a scratch project that installed both packed packages: proves in the
// prover's worker, verifies with the verifier package, cancels a proof, and refuses a
// key that is not the pinned one. argv[2]: a directory with k.pk, k.vk, k.vk-hash,
// policy.json, c.json, p.json, h.key. Prints a JSON report.
import fs from 'node:fs';
import path from 'node:path';
import { createProver, ProverError } from '@medzk/prover';
import { createVerifier, presentationFromQrText, presentationQrText } from '@medzk/verifier';

const dir = process.argv[2];
const read = (f) => fs.readFileSync(path.join(dir, f));
const text = (f) => read(f).toString('utf8');
const vkHash = text('k.vk-hash').trim();
const session = { verifierId: 'border:NO:package-test', nonce: new Uint8Array(16).fill(9), today: '2026-11-24' };
const request = {
  policy: text('policy.json'),
  credentials: [JSON.parse(text('c.json'))],
  holderKey: text('h.key'),
  paths: [text('p.json')],
  ...session,
};
const report = {};
const errorOf = async (promise) => promise.then(() => 'resolved', (e) => (e instanceof ProverError ? e.code : `other: ${e}`));

report.wrongKey = await errorOf(createProver({ provingKey: read('k.pk'), vkHash: '00'.repeat(32) }));
const prover = await createProver({ provingKey: read('k.pk'), vkHash });
report.statement = prover.statement;
report.threads = prover.threads;
// Node proves on one thread: asking for more is a TypeError, before any worker starts.
report.twoThreads = await createProver({ provingKey: read('k.pk'), vkHash, threads: 2 }).then(
  () => 'resolved',
  (e) => (e instanceof TypeError ? 'TypeError' : `other: ${e}`),
);
const stages = [];
// The event loop keeps turning while the worker proves.
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const bytes = await prover.prove(request, { onProgress: (s) => stages.push(s) });
clearInterval(timer);
report.ticksWhileProving = ticks;
report.stages = stages;
const verifier = await createVerifier({
  verifyingKey: read('k.vk'),
  policy: request.policy,
  trustedRoots: [JSON.parse(text('p.json')).root],
});
const qr = await presentationQrText(bytes);
report.verdict = (await verifier.verify(await presentationFromQrText(qr), session)).code;
report.otherNonce = (await verifier.verify(bytes, { ...session, nonce: new Uint8Array(16).fill(8) })).code;

// Cancelled while proving; the next proof starts a new worker and succeeds.
const controller = new AbortController();
const cancelled = prover.prove(request, {
  signal: controller.signal,
  onProgress: (s) => s === 'proving' && controller.abort(),
});
report.cancelled = await errorOf(cancelled);
report.afterCancel = (await verifier.verify(await prover.prove(request), session)).code;
report.unmet = await errorOf(prover.prove({ ...request, today: '2030-01-01' }));
prover.close();
report.afterClose = await errorOf(prover.prove(request));
console.log(JSON.stringify(report));
