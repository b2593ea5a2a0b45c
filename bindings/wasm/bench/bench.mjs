// wasm proving and verification medians in Node for the files in DIR (see
// scripts/bench-wasm.sh), with the low-level modules inside the two npm packages: the
// prover's (opt-level 3) and the verifier's (built for size). Prints JSON.
//   node bench.mjs PACKAGES_DIR DIR [RUNS]
import fs from 'node:fs';
import path from 'node:path';

const packages = path.resolve(process.argv[2]);
const dir = process.argv[3];
const runs = Number(process.argv[4] ?? 5);
const read = (f) => fs.readFileSync(path.join(dir, f));
const text = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
async function load(pkg, stem) {
  const m = await import(path.join(packages, pkg, 'wasm', `${stem}.js`));
  m.initSync({ module: fs.readFileSync(path.join(packages, pkg, 'wasm', `${stem}_bg.wasm`)) });
  return m;
}
const prover = await load('prover', 'medzk_wasm');
const verifier = await load('verifier', 'medzk_wasm_verifier');

let t = performance.now();
// The pinned key hash: the one `medzk setup` wrote (DIR/k.vk-hash), as a wallet pins it.
const p = new prover.MedzkProver(read('k.pk'), text('k.vk-hash').trim());
const loadMs = performance.now() - t;
const root = JSON.parse(text('p.json')).root;
const nonce = new Uint8Array(16).fill(7);
const id = 'border:NO:bench';
const prove = [];
let bytes;
for (let i = 0; i < runs; i++) {
  t = performance.now();
  bytes = p.prove(text('policy.json'), `[${text('c.json')}]`, text('h.key'), `[${text('p.json')}]`, '[]', id, nonce, '2026-11-24');
  prove.push(performance.now() - t);
}
function verifyMs(m) {
  const v = new m.MedzkVerifier(read('k.vk'), text('policy.json'), [root]);
  const times = [];
  for (let i = 0; i < runs * 10; i++) {
    t = performance.now();
    const verdict = v.verify(bytes, id, nonce, '2026-11-24');
    times.push(performance.now() - t);
    if (!verdict.accepted) throw new Error(verdict.reason);
  }
  return +median(times).toFixed(3);
}
console.log(JSON.stringify({
  prove_ms: +median(prove).toFixed(1),
  verify_ms_prover_package: verifyMs(prover),
  verify_ms_verifier_package: verifyMs(verifier),
  load_pk_ms: +loadMs.toFixed(1),
}));
