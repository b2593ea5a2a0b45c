// Types of @medzk/verifier. Hex values are lower-case; `0x…` ones are field elements.

/** Why a presentation was rejected (the native verifier's codes). */
export type RejectionCode =
  | 'malformed'
  | 'wrong_statement'
  | 'wrong_key'
  | 'untrusted_root'
  | 'stale_date'
  | 'clock'
  | 'invalid_session'
  | 'replayed'
  | 'rejected';

/** Every verdict code. */
export type VerdictCode = 'accepted' | RejectionCode;

/** An accepted presentation: what the verifier learns. */
export interface Accepted {
  readonly accepted: true;
  readonly code: 'accepted';
  /** The statement proven, e.g. `vaccination/v1/depth32`. */
  readonly statement: string;
  /** The holder's pseudonym in the policy's scope, `0x` + 64 hex digits. */
  readonly nullifier: string;
  /** The registry root the proof refers to, `0x` + 64 hex digits. */
  readonly root: string;
  /** The presentation's day, YYYY-MM-DD. */
  readonly today: string;
}

/** A rejected presentation, with the reason in words. */
export interface Rejected {
  readonly accepted: false;
  readonly code: RejectionCode;
  readonly reason: string;
}

export type Verdict = Accepted | Rejected;

/** The verifier's session: its id, its one-time nonce, and its own clock. */
export interface Session {
  readonly verifierId: string;
  readonly nonce: Uint8Array;
  /**
   * YYYY-MM-DD (UTC); for a policy with hour windows (`needsMinute`), the date and UTC
   * time YYYY-MM-DDTHH:MMZ its request states.
   */
  readonly today: string;
}

/** A JSON document, as text or as a parsed value. */
export type Json = string | { readonly [key: string]: unknown };

export interface VerifierOptions {
  /** The verifying key's bytes (`medzk setup --vk`, or a ceremony's output). */
  readonly verifyingKey: Uint8Array;
  /** The verifier's own policy document. */
  readonly policy: Json;
  /** Registry roots the verifier trusts, `0x…` each. */
  readonly trustedRoots: readonly string[];
}

export interface Verifier {
  /** The statement the verifying key checks. */
  readonly statement: string;
  /** The hash of the verifier's policy, `0x…`. */
  readonly policyHash: string;
  /** The hash of the verifying key, 64 hex digits. */
  readonly keyHash: string;
  /** Whether the policy has hour windows: sessions then state the minute, not only the date. */
  readonly needsMinute: boolean;
  /**
   * Verifies presentation bytes for this session. Resolves to a verdict; rejects only
   * for an invalid `today` or a closed verifier.
   */
  verify(presentation: Uint8Array, session: Session): Promise<Verdict>;
  /** The request QR text (`MZQ1:…`) a wallet scans to prove for this session. */
  request(session: Session & { readonly policyUrl?: string }): Promise<string>;
  /** Frees the verifier's memory; later calls reject. */
  close(): void;
}

/** A verifier's request, read from its QR text. */
export interface VerifierRequest {
  readonly statement: string;
  readonly vkHash: string;
  readonly policyHash: string;
  readonly today: string;
  /** What the wallet proves at: `today`, or with the minute where the policy has hour windows. */
  readonly clock: string;
  /** The session nonce, hex. */
  readonly nonce: string;
  readonly verifierId: string;
  readonly policyUrl?: string;
}

/** The public parts of a presentation, for display (verification recomputes the rest). */
export interface PresentationSummary {
  readonly statement: string;
  readonly root: string;
  readonly today: string;
  readonly nullifier: string;
  readonly key_hash: string;
  readonly bytes: number;
}

/**
 * Loads the WebAssembly module now; every other function loads it on first use. In
 * browsers, `wasmUrl` loads the `.wasm` from elsewhere than beside the package's files.
 */
export function ready(wasmUrl?: string | URL): Promise<void>;
export function createVerifier(options: VerifierOptions): Promise<Verifier>;
/** The policy hash a verifier computes from a policy document, `0x…`. */
export function policyHash(policy: Json): Promise<string>;
export function describePresentation(presentation: Uint8Array): Promise<PresentationSummary>;
/** Reads a request QR text; rejects with the reason for anything else. */
export function parseRequest(text: string): Promise<VerifierRequest>;
/** A presentation's QR text (`MZP1:…`). */
export function presentationQrText(presentation: Uint8Array): Promise<string>;
/** The presentation bytes of a presentation QR text; rejects for any other text. */
export function presentationFromQrText(text: string): Promise<Uint8Array>;
/** What a registry event was. */
export type CheckpointEvent =
  | { readonly event: 'create' }
  | { readonly event: 'append'; readonly first: number; readonly count: number }
  | { readonly event: 'revoke'; readonly index: number };

/** One entry of a registry's root ledger. */
export interface CheckpointSummary {
  readonly seq: number;
  /** `0x…`. */
  readonly root: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly event: CheckpointEvent;
}

/** A signed head that verified: the roots to trust now, and the checkpoints it carries. */
export interface CheckedHead {
  readonly registry: string;
  /** When the operator signed, Unix seconds. */
  readonly signedAt: number;
  /** The roots to accept now, `0x…` each: the latest, and earlier ones at most `maxRootAge` old, none from before a revocation. */
  readonly trustedRoots: readonly string[];
  /** Oldest first. */
  readonly checkpoints: readonly CheckpointSummary[];
}

export interface HeadCheck {
  /** The registry operator's Ed25519 public key, 64 hex digits, pinned by the verifier. */
  readonly operatorKey: string;
  /** The registry's name, as the verifier knows it (e.g. `registry:NO`). */
  readonly registry: string;
  /** The verifier's clock, Unix seconds. */
  readonly now: number;
  /** Oldest earlier root to accept, seconds. */
  readonly maxRootAge: number;
  /** Oldest signed head to accept, seconds. */
  readonly maxHeadAge: number;
}

/**
 * Checks a registry operator's signed head (`GET /v1/head` of the registry service, or
 * `medzk registry sign-head`'s file): signature under the pinned key, registry name,
 * checkpoint chain, age. Rejects with the reason.
 */
export function checkSignedHead(head: Json, check: HeadCheck): Promise<CheckedHead>;
/** The medzk version of the WebAssembly module. */
export function version(): Promise<string>;
