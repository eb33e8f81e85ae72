/** The provider interface (DESIGN §4 "Provider fetch"): how the gateway reads one record from a registry. */

export interface FetchRecordRequest {
  /** Catalog id of the record type. */
  recordType: string;
  /** The subject's identifier, already canonical in the record type's scheme. */
  identifier: string;
  /** Top-level fields wanted; the whole record when absent. */
  fields?: readonly string[];
  /** Coded purpose, passed on so the registry can log why it was read. */
  purpose?: string;
  requestId: string;
  /** Aborts when the caller stops waiting; no retry starts after it. */
  deadline: AbortSignal;
}

export interface Provenance {
  /** Catalog id of the agency holding the registry. */
  holder: string;
  /** Id of the provider adapter that fetched it. */
  provider: string;
  /** When the gateway received the record (ISO 8601, UTC). */
  retrievedAt: string;
}

export interface FetchRecordResult {
  /** Validated against the record type's schema; exactly the requested fields. */
  record: Record<string, unknown>;
  provenance: Provenance;
}

export interface Provider {
  readonly id: string;
  /** Resolves with a schema-valid record or rejects with a typed error (ProviderError, SubjectNotFoundError); never partial data. */
  fetchRecord(request: FetchRecordRequest): Promise<FetchRecordResult>;
  close?(): Promise<void>;
}

/** Observability hooks; all optional. */
export interface ProviderHooks {
  onAttempt?(event: { provider: string; attempt: number; recordType: string }): void;
  onResult?(event: {
    provider: string;
    recordType: string;
    outcome: 'ok' | 'not_found' | 'unavailable' | 'timeout' | 'bad_response';
    attempts: number;
    durationMs: number;
  }): void;
  onCircuit?(event: { provider: string; state: 'closed' | 'open' | 'half-open' }): void;
}
