// The main-thread side of the prover: every proof runs in a worker (a Web Worker in
// browsers, a worker thread in Node), so the caller's thread never computes.
// `spawn(threads)` starts one (proving on `threads` threads) and returns
// { send(message, transfer), onMessage(fn), onError(fn), busy(flag), terminate() };
// `threadsFor(option)` checks createProver's `threads` option and says how many.

const asText = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
const asArray = (what, v) => {
  if (!Array.isArray(v)) throw new TypeError(`${what}: expected an array`);
  return `[${v.map(asText).join(',')}]`;
};

/** A refused or failed operation: `code` says which (see index.d.ts). */
export class ProverError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ProverError';
    this.code = code;
  }
}

/** One worker holding one prepared proving key; runs one request at a time. */
class Session {
  #worker;
  #pending = new Map();
  #next = 0;
  #dead;
  constructor(worker) {
    this.#worker = worker;
    worker.onMessage((m) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type === 'stage') {
        p.onStage?.(m.stage);
        return;
      }
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) worker.busy(false);
      if (m.type === 'error') p.reject(new ProverError(m.code, m.message));
      else p.resolve(m);
    });
    worker.onError((e) => this.#fail(new ProverError('worker-failed', `the prover's worker failed: ${e?.message ?? e}`)));
  }
  get dead() {
    return this.#dead !== undefined;
  }
  call(message, transfer = [], onStage) {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    this.#worker.busy(true);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onStage });
      this.#worker.send({ ...message, id }, transfer);
    });
  }
  #fail(error) {
    this.#dead ??= error;
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
  kill(error) {
    this.#fail(error);
  }
}

class Prover {
  #spawn;
  #key;
  #vkHash;
  #session;
  #queue = Promise.resolve();
  #closed = false;
  constructor(spawn, key, vkHash, threads, session, loaded) {
    this.#spawn = spawn;
    this.#key = key;
    this.#vkHash = vkHash;
    this.#session = session;
    this.statement = loaded.statement;
    this.keyHash = loaded.keyHash;
    this.threads = threads;
  }

  async #live(onStage) {
    if (this.#session && !this.#session.dead) return this.#session;
    // The previous worker was cancelled or failed: a new one loads the key again.
    onStage?.('loading-key');
    const { session } = await load(this.#spawn, this.#key, this.#vkHash, this.threads);
    this.#session = session;
    return session;
  }

  prove(request, options = {}) {
    const { signal, onProgress } = options;
    const run = async () => {
      if (this.#closed) throw new ProverError('closed', 'this prover was closed');
      if (signal?.aborted) throw new ProverError('cancelled', 'the proof was cancelled');
      onProgress?.('starting');
      const args = [
        asText(request.policy),
        asArray('credentials', request.credentials),
        asText(request.holderKey),
        asArray('paths', request.paths),
        asArray('valueSets', request.valueSets ?? []),
        request.verifierId,
        request.nonce,
        request.today,
      ];
      const session = await this.#live(onProgress);
      const abort = () => session.kill(new ProverError('cancelled', 'the proof was cancelled'));
      signal?.addEventListener('abort', abort, { once: true });
      try {
        const m = await session.call({ type: 'prove', args }, [], onProgress);
        onProgress?.('done');
        return m.presentation;
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  close() {
    this.#closed = true;
    this.#session?.kill(new ProverError('closed', 'this prover was closed'));
    this.#session = undefined;
  }
}

async function load(spawn, key, vkHash, threads) {
  const session = new Session(spawn(threads));
  try {
    // A copy goes to the worker: the caller's bytes stay theirs, and a restarted worker
    // (after a cancel) loads from the copy kept here.
    const m = await session.call({ type: 'load', provingKey: key.slice(), vkHash });
    return { session, loaded: { statement: m.statement, keyHash: m.keyHash } };
  } catch (e) {
    session.kill(e);
    throw e;
  }
}

/** `createProver` and `pathFromSubtree` over a worker factory. */
export function bind(spawn, threadsFor) {
  let utility; // one worker for requests that need no proving key, started on first use
  async function pathFromSubtree(subtree, index) {
    if (!Number.isSafeInteger(index) || index < 0) throw new TypeError('index: expected a leaf index');
    if (!utility || utility.dead) utility = new Session(spawn());
    const m = await utility.call({ type: 'path', subtree: asText(subtree), index });
    return JSON.parse(m.path);
  }
  async function createProver({ provingKey, vkHash, threads }) {
    if (!(provingKey instanceof Uint8Array)) throw new TypeError('provingKey: expected a Uint8Array');
    if (typeof vkHash !== 'string') throw new TypeError('vkHash: expected the pinned verifying-key hash (hex)');
    const n = threadsFor(threads);
    const key = provingKey.slice();
    const { session, loaded } = await load(spawn, key, vkHash, n);
    return new Prover(spawn, key, vkHash, n, session, loaded);
  }
  return { createProver, pathFromSubtree };
}
