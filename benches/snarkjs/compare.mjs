// Times snarkjs on the circom twin of the vaccination statement and prints it beside
// medzk's numbers from the same run (medzk.json, written just before by
// `snarkjs_compare`). Usage: node compare.mjs WORKDIR [RUNS]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";

const dir = process.argv[2];
const runs = Number(process.argv[3] ?? 7);
const zkey = new Uint8Array(readFileSync(join(dir, "v.zkey")));
const wtns = new Uint8Array(readFileSync(join(dir, "witness.wtns")));
const wasm = join(dir, "vaccination_js", "vaccination.wasm");
const input = JSON.parse(readFileSync(join(dir, "input.json"), "utf8"));
const vkey = JSON.parse(readFileSync(join(dir, "vkey.json"), "utf8"));
const medzk = JSON.parse(readFileSync(join(dir, "medzk.json"), "utf8"));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(n, f) {
  await f(); // warm-up: curve set-up, worker threads, wasm compilation
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return median(out);
}

let proof, publicSignals;
const prove = await time(runs, async () => {
  ({ proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns));
});
const fullProve = await time(runs, () => snarkjs.groth16.fullProve(input, wasm, zkey));
const verify = await time(runs * 5, async () => {
  if (!(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error("snarkjs proof rejected");
});
const r1cs = await snarkjs.r1cs.info(join(dir, "vaccination.r1cs"));

const row = (name, a, b) =>
  `| ${name.padEnd(32)} | ${a.padStart(12)} | ${b.padStart(12)} | ${(Number.parseFloat(b) / Number.parseFloat(a)).toFixed(1).padStart(6)}x |`;
console.log(`\nvaccination statement, depth 32 (medians; snarkjs ${runs} runs after a warm-up)\n`);
console.log(`| ${"".padEnd(32)} | ${"medzk".padStart(12)} | ${"snarkjs".padStart(12)} | ${"ratio".padStart(7)} |`);
console.log(`|${"-".repeat(34)}|${"-".repeat(14)}|${"-".repeat(14)}|${"-".repeat(9)}|`);
console.log(`| ${"constraints".padEnd(32)} | ${String(medzk.constraints).padStart(12)} | ${String(r1cs.nConstraints).padStart(12)} |         |`);
console.log(row("prove, witness given (ms)", medzk.prove_ms.toFixed(1), prove.toFixed(1)));
console.log(row("prove incl. witness (ms)", medzk.prove_ms.toFixed(1), fullProve.toFixed(1)));
console.log(row("prove, medzk with tables (ms)", medzk.prove_tables_ms.toFixed(1), prove.toFixed(1)));
console.log(row("verify (ms)", medzk.verify_ms.toFixed(2), verify.toFixed(2)));
console.log(
  `\nmedzk's prove includes its native pre-check and witness generation; snarkjs's first row starts from a computed witness.`,
);
process.exit(0);
