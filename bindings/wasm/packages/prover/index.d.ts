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
  /** The verifier's day, YYYY-MM-DD, from its request. */
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
  /** The presentation bytes; proofs are made one at a time, in call order. */
  prove(request: ProofRequest, options?: ProveOptions): Promise<Uint8Array>;
  /** Stops the worker; pending and later proofs reject with `closed`. */
  close(): void;
}

/**
 * Starts a worker and loads the proving key in it, checked against the pinned hash;
 * rejects with `invalid-key` for any other or damaged key.
 */
export function createProver(options: ProverOptions): Promise<Prover>;
