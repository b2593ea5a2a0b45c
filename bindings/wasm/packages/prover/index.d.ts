// Types of @medzk/prover. Every proof runs in a worker: the caller's thread never blocks.

/** A JSON document, as text or as a parsed value. */
export type Json = string | { readonly [key: string]: unknown };

/** Where a proof is: reported through `onProgress`. */
export type ProofStage = 'starting' | 'loading-key' | 'proving' | 'done';

/** Why an operation failed. */
export type ProverErrorCode =
  /** The proving key is not the pinned key's, or is damaged: refused. */
  | 'invalid-key'
  /** The inputs do not meet the policy, or are invalid; the message says which. */
  | 'refused'
  /** `signal` aborted the proof; its worker was stopped. */
  | 'cancelled'
  /** The prover was closed. */
  | 'closed'
  /** The worker could not start or crashed. */
  | 'worker-failed';

export class ProverError extends Error {
  readonly name: 'ProverError';
  readonly code: ProverErrorCode;
}

export interface ProverOptions {
  /** The proving key's bytes (downloaded from anywhere: it is checked). */
  readonly provingKey: Uint8Array;
  /**
   * The verifying key's hash (64 hex digits), pinned from a source the wallet trusts —
   * never from whoever served the proving key.
   */
  readonly vkHash: string;
  /**
   * Threads to prove on. `'auto'` (the default): as many as the device has (at most 8)
   * on a cross-origin isolated page (served with `Cross-Origin-Opener-Policy: same-origin`
   * and `Cross-Origin-Embedder-Policy: require-corp`), else one. A number above one on a
   * page that is not isolated, or in Node (one thread), throws a `TypeError`.
   */
  readonly threads?: 'auto' | number;
}

/** What to prove, for which verifier session. */
export interface ProofRequest {
  /** The verifier's policy document. */
  readonly policy: Json;
  /** The holder's credential files (one per record used). */
  readonly credentials: readonly Json[];
  /** The holder key file. */
  readonly holderKey: Json;
  /** One inclusion path per credential, in the same order, all to one registry root. */
  readonly paths: readonly Json[];
  /** Value-set files the policy refers to. */
  readonly valueSets?: readonly Json[];
  /** The verifier's id, from its request. */
  readonly verifierId: string;
  /** The verifier's session nonce, from its request. */
  readonly nonce: Uint8Array;
  /** The verifier's clock from its request (its `clock`): YYYY-MM-DD, or YYYY-MM-DDTHH:MMZ. */
  readonly today: string;
}

export interface ProveOptions {
  /** Aborting stops the proof at once (its worker is terminated) and rejects with `cancelled`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (stage: ProofStage) => void;
}

export interface Prover {
  /** The statement the key proves, e.g. `vaccination/v1/depth32`. */
  readonly statement: string;
  /** The (pinned) verifying key's hash. */
  readonly keyHash: string;
  /** How many threads its proofs run on. */
  readonly threads: number;
  /** The presentation bytes; proofs are made one at a time, in call order. */
  prove(request: ProofRequest, options?: ProveOptions): Promise<Uint8Array>;
  /** Stops the worker; pending and later proofs reject with `closed`. */
  close(): void;
}

/** An inclusion-path file, as `medzk registry path` writes it and the prover reads it. */
export interface InclusionFile {
  readonly format: 'medzk-inclusion-path';
  readonly version: number;
  /** The registry root the path leads to, `0x…`. */
  readonly root: string;
  readonly path: { readonly index: number; readonly siblings: readonly (readonly string[])[] };
}

/**
 * The inclusion path of leaf `index` computed on this device from a registry subtree
 * (`GET /v1/subtree/{levels}/{index >> 2·levels}` of the registry service): the registry
 * learns the group of `4^levels` leaves, not the leaf. Runs in a worker of its own (no
 * proving key needed). Rejects (`refused`) if the subtree's parts do
 * not lead to its root or the leaf is not in it.
 */
export function pathFromSubtree(subtree: Json, index: number): Promise<InclusionFile>;

/**
 * Starts a worker and loads the proving key in it, checked against the pinned hash;
 * rejects with `invalid-key` for any other or damaged key.
 */
export function createProver(options: ProverOptions): Promise<Prover>;
