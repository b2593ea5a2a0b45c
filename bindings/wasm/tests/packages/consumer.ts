// Compiled (not run) by the package test with tsc --strict against the packed packages'
// types, as a TypeScript user would: the types are precise enough to catch misuse.
import { createVerifier, parseRequest, type RejectionCode, type Verdict } from '@medzk/verifier';
import { createProver, ProverError, type ProofStage, type ProverErrorCode } from '@medzk/prover';

export async function verifyOnce(vk: Uint8Array, bytes: Uint8Array): Promise<string> {
  const verifier = await createVerifier({ verifyingKey: vk, policy: { statement: 'vaccination' }, trustedRoots: ['0x01'] });
  const verdict: Verdict = await verifier.verify(bytes, { verifierId: 'v', nonce: new Uint8Array(16), today: '2026-12-03' });
  if (verdict.accepted) {
    const nullifier: string = verdict.nullifier;
    return nullifier;
  }
  const code: RejectionCode = verdict.code;
  // @ts-expect-error a rejected verdict has no nullifier
  verdict.nullifier;
  // @ts-expect-error 'accepted' is not a rejection code
  const wrong: RejectionCode = 'accepted';
  // @ts-expect-error the session needs a nonce
  await verifier.verify(bytes, { verifierId: 'v', today: '2026-12-03' });
  const request = await parseRequest('MZQ1:...');
  const url: string | undefined = request.policyUrl;
  return `${code} ${wrong} ${url} ${verdict.reason}`;
}

export async function proveOnce(pk: Uint8Array): Promise<Uint8Array | ProverErrorCode> {
  const prover = await createProver({ provingKey: pk, vkHash: '00'.repeat(32), threads: 'auto' });
  const threads: number = prover.threads;
  // @ts-expect-error threads is 'auto' or a number
  await createProver({ provingKey: pk, vkHash: '00'.repeat(32), threads: 'all' });
  const stages: ProofStage[] = [];
  // @ts-expect-error not a stage
  const bad: ProofStage = 'finished';
  try {
    return await prover.prove(
      { policy: '{}', credentials: [], holderKey: '{}', paths: [], verifierId: 'v', nonce: new Uint8Array(16), today: '2026-12-03' },
      { onProgress: (s) => stages.push(s), signal: new AbortController().signal },
    );
  } catch (e) {
    if (e instanceof ProverError) return e.code;
    throw new Error(`${bad} ${threads} ${String(e)}`);
  }
}
