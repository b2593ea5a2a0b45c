// wasm proving and verification medians in Node for the files in DIR (see
// scripts/bench-wasm.sh). Prints JSON.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const medzk = require(path.resolve(process.argv[2]));
const dir = process.argv[3];
const runs = Number(process.argv[4] ?? 5);
const read = (f) => fs.readFileSync(path.join(dir, f));
const text = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];

let t = performance.now();
// The pinned key hash: the one `medzk setup` wrote (DIR/k.vk-hash), as a wallet pins it.
const prover = new medzk.MedzkProver(read('k.pk'), text('k.vk-hash').trim());
const loadMs = performance.now() - t;
const root = JSON.parse(text('p.json')).root;
const nonce = new Uint8Array(16).fill(7);
const prove = [];
let bytes;
for (let i = 0; i < runs; i++) {
  t = performance.now();
  bytes = prover.prove(text('policy.json'), `[${text('c.json')}]`, text('h.key'), `[${text('p.json')}]`, '[]', 'bench', nonce, '2026-11-24');
  prove.push(performance.now() - t);
}
const verifier = new medzk.MedzkVerifier(read('k.vk'), text('policy.json'), [root]);
const verify = [];
for (let i = 0; i < runs * 10; i++) {
  t = performance.now();
  const v = verifier.verify(bytes, 'bench', nonce, '2026-11-24');
  verify.push(performance.now() - t);
  if (!v.accepted) throw new Error(v.reason);
}
console.log(JSON.stringify({ prove_ms: +median(prove).toFixed(1), verify_ms: +median(verify).toFixed(3), load_pk_ms: +loadMs.toFixed(1) }));
