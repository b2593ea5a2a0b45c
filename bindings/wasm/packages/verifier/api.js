// The package's API over the wasm-bindgen module, the same in Node and browsers. Every
// function is async: the module is loaded (once) on first use, and nothing is computed
// before the caller's next await. Values the wasm side returns are copied into plain
// objects and its handles freed, so callers never manage wasm memory except a verifier's.

const asText = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function toVerdict(v) {
  try {
    return v.accepted
      ? {
          accepted: true,
          code: 'accepted',
          statement: v.statement,
          nullifier: v.nullifier,
          root: v.root,
          today: v.today,
        }
      : { accepted: false, code: v.code, reason: v.reason };
  } finally {
    v.free();
  }
}

class Verifier {
  #inner;
  constructor(inner) {
    this.#inner = inner;
    this.statement = inner.statement;
    this.policyHash = inner.policyHash;
    this.keyHash = inner.keyHash;
    this.needsMinute = inner.needsMinute;
  }
  #live() {
    if (!this.#inner) throw new Error('this verifier was closed');
    return this.#inner;
  }
  async verify(presentation, session) {
    return toVerdict(this.#live().verify(presentation, session.verifierId, session.nonce, session.today));
  }
  async request(session) {
    return this.#live().request(session.verifierId, session.nonce, session.today, session.policyUrl);
  }
  close() {
    this.#inner?.free();
    this.#inner = undefined;
  }
}

/** The API over `load`, a function that returns (a promise of) the initialised module. */
export function bind(load) {
  let module;
  const ready = () => (module ??= Promise.resolve().then(load));
  return {
    ready: async () => {
      await ready();
    },
    async createVerifier({ verifyingKey, policy, trustedRoots }) {
      const m = await ready();
      return new Verifier(new m.MedzkVerifier(verifyingKey, asText(policy), [...trustedRoots]));
    },
    async policyHash(policy) {
      return (await ready()).policyHash(asText(policy));
    },
    async describePresentation(presentation) {
      return JSON.parse((await ready()).describePresentation(presentation));
    },
    async parseRequest(text) {
      const r = JSON.parse((await ready()).parseRequest(text));
      return {
        statement: r.statement,
        vkHash: r.vk_hash,
        policyHash: r.policy_hash,
        today: r.today,
        clock: r.clock,
        nonce: r.nonce,
        verifierId: r.verifier_id,
        policyUrl: r.policy_url ?? undefined,
      };
    },
    async presentationQrText(presentation) {
      return (await ready()).presentationQrText(presentation);
    },
    async presentationFromQrText(text) {
      return (await ready()).presentationFromQrText(text);
    },
    async checkSignedHead(head, { operatorKey, registry, now, maxRootAge, maxHeadAge }) {
      const r = JSON.parse((await ready()).checkSignedHead(asText(head), operatorKey, registry, now, maxRootAge, maxHeadAge));
      return {
        registry: r.registry,
        signedAt: r.signed_at,
        trustedRoots: r.trusted_roots,
        checkpoints: r.checkpoints,
      };
    },
    async version() {
      return (await ready()).version();
    },
  };
}
