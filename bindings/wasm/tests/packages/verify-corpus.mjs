// Run inside a scratch project that installed the packed @medzk/verifier: verifies every
// case of the golden corpus (argv[2]) through the package, prints the verdicts as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { createVerifier, policyHash, version } from '@medzk/verifier';

const vectors = process.argv[2];
const m = JSON.parse(fs.readFileSync(path.join(vectors, 'manifest.json'), 'utf8'));
const policy = fs.readFileSync(path.join(vectors, 'policy.json'), 'utf8');
const verifier = await createVerifier({
  verifyingKey: fs.readFileSync(path.join(vectors, 'vaccination.vk')),
  policy,
  trustedRoots: m.session.trusted_roots,
});
const verdicts = {};
for (const c of m.cases) {
  const session = {
    verifierId: c.verifier_id ?? m.session.verifier_id,
    nonce: Buffer.from(c.nonce ?? m.session.nonce, 'hex'),
    today: c.today ?? m.session.today,
  };
  verdicts[c.name] = await verifier.verify(fs.readFileSync(path.join(vectors, c.file)), session);
}
verifier.close();
console.log(JSON.stringify({
  version: await version(),
  policyHash: await policyHash(policy),
  keyHash: verifier.keyHash,
  verdicts,
}));
