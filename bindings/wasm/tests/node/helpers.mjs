// Shared helpers for the Node tests of the medzk WebAssembly package.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../../..');
export const vectors = path.join(repo, 'tests/vectors');

/**
 * The low-level wasm-bindgen module inside the prover package (scripts/build-wasm.sh),
 * compiled synchronously: the prover and, re-exported, the verifier.
 */
export const packages = path.join(repo, 'bindings/wasm/packages');
export const medzk = await import(path.join(packages, 'prover/wasm/medzk_wasm.js'));
medzk.initSync({ module: fs.readFileSync(path.join(packages, 'prover/wasm/medzk_wasm_bg.wasm')) });

const tempDirs = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory, removed when the test process exits. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export const hex = (bytes) => Buffer.from(bytes).toString('hex');
export const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

/** The golden corpus: its session and cases. */
export function manifest() {
  return JSON.parse(fs.readFileSync(path.join(vectors, 'manifest.json'), 'utf8'));
}

/** The corpus case's effective session (its overrides on top of the corpus session). */
export function sessionOf(m, c) {
  return {
    verifierId: c.verifier_id ?? m.session.verifier_id,
    nonce: unhex(c.nonce ?? m.session.nonce),
    today: c.today ?? m.session.today,
  };
}

/** A verifier for the corpus. */
export function corpusVerifier(m) {
  const vk = fs.readFileSync(path.join(vectors, 'vaccination.vk'));
  const policy = fs.readFileSync(path.join(vectors, 'policy.json'), 'utf8');
  return new medzk.MedzkVerifier(vk, policy, m.session.trusted_roots);
}

/** The native CLI (built by `cargo build -p medzk-cli`; override with MEDZK_BIN). */
export const medzkBin = process.env.MEDZK_BIN ?? path.join(repo, 'target/debug/medzk');

/** Runs the native CLI in `cwd`; returns { status, stdout, stderr }. */
export function cli(cwd, args) {
  try {
    const stdout = execFileSync(medzkBin, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    return { status: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
