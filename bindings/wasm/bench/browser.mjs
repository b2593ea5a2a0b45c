// Browser numbers for BENCHMARKS.md: the two npm packages in headless Chromium (Debian's,
// through playwright-core) on the files in DIR (see scripts/bench-wasm.sh): verification
// with @medzk/verifier on the page's thread, proving with @medzk/prover in its worker on
// one thread and on two (the page is cross-origin isolated), medians. Prints JSON.
//   node bench/browser.mjs DIR [RUNS]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../tests/browser/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// DIST: another build of the site (a baseline to compare with).
const dist = path.resolve(process.env.DIST ?? path.join(here, '../dist'));
const dir = path.resolve(process.argv[2]);
const runs = Number(process.argv[3] ?? 5);
const server = await serve([['/data/', dir], ['/', dist]]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/wallet.html`);
  const result = await page.evaluate(async (runs) => {
    const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const bytes = async (f) => new Uint8Array(await (await fetch(`/data/${f}`)).arrayBuffer());
    const text = async (f) => (await fetch(`/data/${f}`)).text();
    const { createProver } = await import('/prover/web.js');
    const { createVerifier, ready } = await import('/verifier/web.js');
    let t = performance.now();
    await ready();
    const verifierLoadMs = performance.now() - t;
    const vkHash = (await text('k.vk-hash')).trim();
    const policy = await text('policy.json');
    const path = await text('p.json');
    const request = {
      policy, credentials: [await text('c.json')], holderKey: await text('h.key'), paths: [path],
      verifierId: 'border:NO:bench', nonce: new Uint8Array(16).fill(7), today: '2026-11-24',
    };
    const provingKey = await bytes('k.pk');
    let loadPkMs;
    let presentation;
    const prove = {};
    for (const threads of [1, 2]) {
      t = performance.now();
      const prover = await createProver({ provingKey, vkHash, threads });
      if (threads === 1) loadPkMs = performance.now() - t;
      prove[threads] = [];
      for (let i = 0; i < runs; i++) {
        t = performance.now();
        presentation = await prover.prove(request);
        prove[threads].push(performance.now() - t);
      }
      prover.close();
    }
    const verifier = await createVerifier({ verifyingKey: await bytes('k.vk'), policy, trustedRoots: [JSON.parse(path).root] });
    const verify = [];
    for (let i = 0; i < runs * 10; i++) {
      t = performance.now();
      const v = await verifier.verify(presentation, request);
      verify.push(performance.now() - t);
      if (!v.accepted) throw new Error(v.reason);
    }
    return {
      prove_ms_worker_1_thread: +median(prove[1]).toFixed(1),
      prove_ms_worker_2_threads: +median(prove[2]).toFixed(1),
      cross_origin_isolated: crossOriginIsolated,
      hardware_concurrency: navigator.hardwareConcurrency,
      verify_ms: +median(verify).toFixed(2),
      load_pk_ms: +loadPkMs.toFixed(1),
      load_verifier_ms: +verifierLoadMs.toFixed(1),
    };
  }, runs);
  console.log(JSON.stringify({ chromium: browser.version(), ...result }));
} finally {
  await browser.close();
  server.close();
}
