/**
 * Generated from openapi/gateway.yaml by `npm run gen:api` (openapi-typescript): do not edit.
 * Change the contract, then regenerate; test/unit/structure/api-types.test.ts fails when stale.
 */

export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness
     * @description Answers 200 while the process is running its event loop.
     */
    get: operations['getLiveness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Readiness
     * @description 200 when the database answers, every migration is applied, audit entries can be written (the latest append was accepted) and the process is not shutting down; otherwise 503.
     */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Prometheus metrics
     * @description Request counts and latency by route template and status, database pool statistics and process metrics.
     */
    get: operations['getMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/purposes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List active purposes
     * @description The purpose registry - coded tasks, their legal basis, the record types each may use and its bounds. Public, so citizens and requesters read the same rules.
     */
    get: operations['listPurposes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/purposes/{code}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get one purpose
     * @description A purpose by its code.
     */
    get: operations['getPurpose'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/explain': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Explain the release policy for a requester, purpose and record type
     * @description For every field of the record type (and every yes/no predicate the policy defines), whether the policy releases it, in which form, and which rule decided. Public, so citizens and requesters read the same rules. Consent and the request can only withhold more. Give a requester class, an organisation (its class is looked up and its own rules apply), or both.
     */
    get: operations['explainPolicy'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List organisations
     * @description Organisations (agencies, public institutions, banks) with their status. Admins and auditors.
     */
    get: operations['adminListOrganisations'];
    put?: never;
    /**
     * Register an organisation
     * @description Registers an agency, public institution or bank. Audited as an admin event.
     */
    post: operations['adminCreateOrganisation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get an organisation
     * @description An organisation with the purposes it is entitled to.
     */
    get: operations['adminGetOrganisation'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}/suspend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Suspend an organisation
     * @description Every client and clerk of a suspended organisation is refused from the next request on.
     */
    post: operations['adminSuspendOrganisation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}/reinstate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reinstate an organisation
     * @description Makes a suspended organisation active again.
     */
    post: operations['adminReinstateOrganisation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}/purposes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Set the purposes an organisation may use
     * @description Replaces the organisation's entitlements with the given purpose codes.
     */
    put: operations['adminSetEntitlements'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}/clients': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List an organisation's API clients
     * @description Machine clients with their public keys and whether DPoP is required.
     */
    get: operations['adminListClients'];
    put?: never;
    /**
     * Register an API client
     * @description Registers a machine client that authenticates with private_key_jwt using the given public JWKS.
     */
    post: operations['adminCreateClient'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/clients/{clientId}/suspend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Suspend an API client
     * @description The client's tokens are refused from the next request on.
     */
    post: operations['adminSuspendClient'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/clients/{clientId}/reinstate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reinstate an API client
     * @description Makes a suspended client active again.
     */
    post: operations['adminReinstateClient'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/organisations/{orgId}/clerks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List an organisation's clerks
     * @description Clerks mapped from their identity provider subject.
     */
    get: operations['adminListClerks'];
    put?: never;
    /**
     * Register a clerk
     * @description Maps an identity provider subject to a clerk of an agency or public institution.
     */
    post: operations['adminCreateClerk'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/purposes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Register a purpose
     * @description Adds a coded task to the purpose registry. Record types must exist in the catalog; consents last at most 12 months.
     */
    post: operations['adminCreatePurpose'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/purposes/{code}/retire': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retire a purpose
     * @description A retired purpose can no longer be used for new consents or queries.
     */
    post: operations['adminRetirePurpose'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/.well-known/jwks.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Our public signing keys
     * @description Public keys (with `kid`, `alg` and `use`) of consent tokens, response signatures and checkpoints, including retired keys until they expire, so signatures stay verifiable across rotation.
     */
    get: operations['getJwks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/key': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Audit log verifier keys
     * @description The log's C2SP signed-note verifier keys (`name+keyid+base64`), one per line, current key first. The name is the checkpoint origin. Key ID and encoding are in docs/log-formats.md §9.
     */
    get: operations['getLogKey'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/checkpoint': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Latest signed checkpoint
     * @description The latest C2SP checkpoint (origin, tree size, base64 root) signed with the log key, plus any witness cosignatures. Published at most once a second while the log grows and re-signed every 60 s when idle. Note text and signature bytes are in docs/log-formats.md §7-§8.
     */
    get: operations['getLogCheckpoint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/checkpoint': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Latest cosigned checkpoint (C2SP tlog-tiles)
     * @description The same note as getLogCheckpoint, at the path C2SP tlog-tiles gives it below the log's prefix `/audit/v1` (the path of the checkpoint origin). Cached for a second.
     */
    get: operations['getTlogCheckpoint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{n0}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Hash tile or entry bundle (C2SP tlog-tiles)
     * @description A full tile, immutable and cached for a year. `level` 0 holds 256 leaf hashes, level L ≥ 1 the
     *     256 roots of the full tiles of level L-1 (tree level 8·L), 8,192 bytes; `entries` is the entry
     *     bundle of the level-0 tile: each leaf value (the 32-byte salted commitment, never the audit entry)
     *     after its big-endian uint16 length. The tile index `<N>` is written in 3-digit segments, all but
     *     the last prefixed with `x` (1234067 is `x001/x234/067`); the contract declares up to three
     *     segments (indices below 10^9, logs below 2.56 × 10^11 entries). Partial tiles (`.p/<W>`) are
     *     getLogPartialTile. 404 for a tile the log does not hold yet. Formats: docs/log-formats.md §13.
     */
    get: operations['getLogTile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{x1}/{n0}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Hash tile or entry bundle, two-segment index
     * @description See getLogTile; the tile index takes 2 path segment(s).
     */
    get: operations['getLogTileX1'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{x2}/{x1}/{n0}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Hash tile or entry bundle, three-segment index
     * @description See getLogTile; the tile index takes 3 path segment(s).
     */
    get: operations['getLogTileX2'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{n0}.p/{width}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Partial hash tile or entry bundle (C2SP tlog-tiles)
     * @description The first `width` (1-255) hashes of a tile that is not full at the latest tree size (or entries,
     *     for `entries`), as a checkpoint of that size needs it. Its bytes never change, but a cache keeps
     *     it a minute since the full tile replaces it. Fetch only widths a verified checkpoint implies.
     */
    get: operations['getLogPartialTile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{x1}/{n0}.p/{width}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Partial tile, two-segment index
     * @description See getLogPartialTile; the tile index takes 2 path segment(s).
     */
    get: operations['getLogPartialTileX1'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit/v1/tile/{level}/{x2}/{x1}/{n0}.p/{width}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Partial tile, three-segment index
     * @description See getLogPartialTile; the tile index takes 3 path segment(s).
     */
    get: operations['getLogPartialTileX2'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit/entries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Audit entries by requester
     * @description Every access as recorded, newest first, filtered by organisation, clerk, client, purpose, record type,
     *     outcome and time. Subjects appear only as their HMAC pseudonyms, never as national IDs.
     */
    get: operations['auditorListEntries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit/anomalies': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Anomaly flags
     * @description Patterns worth an auditor's look, per requester (client, clerk or organisation) in a window of at most
     *     31 days (default the last 24 hours) - `harvesting`: more distinct subjects in an hour than the harvesting
     *     flag level; `off_hours_bulk`: more than 20 accesses in one night (22:00-06:00 Korea time);
     *     `repeated_denials`: 10 or more refusals in an hour.
     */
    get: operations['auditorListAnomalies'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/receipts/{entryId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Complete an audit receipt with its inclusion proof
     * @description Where the audit entry named by a query's receipt sits in the log, and its inclusion proof against the
     *     latest signed checkpoint, once the sequencer and checkpointer have caught up (usually within two
     *     seconds); until then `status` is `pending`. Clients and clerks see their own organisation's entries
     *     only; others look like entries that do not exist. The leaf behind `leafHash` is a salted commitment
     *     the requester cannot open; docs/log-formats.md §10 says what a receipt proves. Saved beside a signed
     *     copy it makes an evidence bundle (`{signedCopy, receipt}`) that verifies offline (§14).
     */
    get: operations['getAuditReceipt'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/proofs/inclusion': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Inclusion proof
     * @description RFC 9162 inclusion proof of the leaf at `index` in the tree of `size` leaves. Encoding and verification are in docs/log-formats.md §6.
     */
    get: operations['getLogInclusionProof'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/proofs/consistency': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Consistency proof
     * @description RFC 9162 consistency proof that the tree of `to` leaves extends the tree of `from` leaves. Encoding and verification are in docs/log-formats.md §6.
     */
    get: operations['getLogConsistencyProof'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/entries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Leaf bundle
     * @description Public leaves from `start` (salted commitments; they reveal nothing about the entries) with their RFC 6962 leaf hashes, so anyone can recompute the tree. Leaf value and leaf hash are defined in docs/log-formats.md §4-§5.
     */
    get: operations['getLogEntries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Who am I
     * @description The caller as the gateway authenticated them: a signed-in citizen, clerk or operator (session
     *     cookie) or an institution's API client (access token, DPoP-bound where the client requires it).
     *     Handy to check a client's token set-up end to end. Never returns tokens, session ids or pseudonyms.
     */
    get: operations['getMe'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/access-log': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My access history with proofs
     * @description Who read the signed-in citizen's records, when, why and what was released, newest first. Each entry
     *     carries its opening (entry, subject link, salt) and an inclusion proof against the latest
     *     checkpoint (null while newer than it). `since_size` adds a consistency proof from the tree size
     *     the citizen last verified. Entries under embargo appear once their date has passed. How to rebuild
     *     each leaf from `entry`, `subject` and `salt` and what to check is in docs/log-formats.md §3-§4, §10.
     */
    get: operations['getMyAccessLog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/access-log.csv': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Export my access history as CSV
     * @description The same entries and filters as the JSON history (up to 10,000 rows, newest first) as RFC 4180 CSV, without proofs.
     */
    get: operations['exportMyAccessLog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/queries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Verify a citizen's records
     * @description Fetches one or more records (or a procedure's bundle) about one subject from the registries that
     *     hold them, for a coded purpose, and releases only the fields the policy, the consent and the request
     *     all allow. Every record's outcome (released, denied with a reason, provider error) is written to the
     *     audit log before the response leaves; each result carries its audit receipt. Institutional clients
     *     present a consent token; clerks give a consent mode (citizen, attested or statutory).
     *     Partial success is reported per record. Send `Idempotency-Key` to make retries safe: a retry with
     *     the same key and body returns the first answer instead of releasing again.
     */
    post: operations['runQuery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/consent-requests': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ask a citizen for consent
     * @description An institution's API client (or a clerk at the counter, citizen mode) asks a citizen to consent to
     *     named record types and fields for a coded purpose. Checked against the purpose registry: the
     *     organisation must be entitled to the purpose, the record types must belong to it, and duration, uses
     *     and data range must stay within its bounds (each violation is a 400 naming the field; nothing is
     *     stored). Returns the citizen-facing URL (send the citizen there) and, for the counter, a short code.
     *     The outcome arrives by signed webhook (Security Event Token) and by polling the request.
     */
    post: operations['createConsentRequest'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/consent-requests/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Poll a consent request
     * @description The request's status and granted fields, for the client that made it (or a clerk of the agency that made it at the counter). Others get 404.
     */
    get: operations['getConsentRequest'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/consents/{id}/token': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Get a consent token
     * @description A short-lived (at most 10 minutes, never beyond the consent's end) compact JWS with `typ: consent+jwt`
     *     projecting the current version of an ACTIVE consent, for the client that requested it; verifiable with
     *     our keys at /.well-known/jwks.json. Re-issuable while the consent is active. Bound to the caller's DPoP
     *     key (`cnf.jkt`) when its access token is.
     */
    post: operations['issueConsentToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/consents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My consents
     * @description Every consent naming the signed-in citizen (citizen, attested and statutory modes) - active first, then paused, pending and ended ones, newest first within each.
     */
    get: operations['listMyConsents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/consents/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One of my consents with its history
     * @description A consent naming the signed-in citizen and every change to it. Another citizen's consent is 404.
     */
    get: operations['getMyConsent'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/consents/{id}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pause one of my consents
     * @description An ACTIVE consent becomes PAUSED with immediate effect; the requester is notified. Send the session's CSRF token.
     */
    post: operations['pauseMyConsent'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/consents/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resume one of my consents
     * @description A PAUSED consent becomes ACTIVE again (until its original end); the requester is notified. Send the session's CSRF token.
     */
    post: operations['resumeMyConsent'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/consents/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke one of my consents
     * @description An ACTIVE or PAUSED consent becomes REVOKED for good; no query succeeds after this returns. The requester is notified. Send the session's CSRF token.
     */
    post: operations['revokeMyConsent'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/protection-orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My protection orders
     * @description Every order barring a person, organisation or clerk from the signed-in citizen's records, in force and withdrawn, newest first. Barred persons appear by the label given, never by national ID.
     */
    get: operations['listMyProtectionOrders'];
    put?: never;
    /**
     * Bar a person, organisation or clerk from my records
     * @description Resident Registration Act protection (e.g. for a victim of domestic violence). The barred party's consent requests and queries are refused with a plain `forbidden` that does not reveal the order; the citizen's access history shows them as `protection_order`. A person is named by national ID and stored only as its subject key. Send the session's CSRF token.
     */
    post: operations['createMyProtectionOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/protection-orders/{id}/withdraw': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Withdraw one of my protection orders
     * @description The order stops barring its party at once; it stays in the list as withdrawn. Another citizen's order is 404. Send the session's CSRF token.
     */
    post: operations['withdrawMyProtectionOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/protection-orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Register a protection order on a court order
     * @description Bars a party from a citizen's records on a court order, whose reference is required and kept as the evidence. National IDs are stored only as subject keys.
     */
    post: operations['adminCreateProtectionOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/representatives': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Who may act for me, and for whom I may act
     * @description Grants naming the signed-in citizen as principal (`representatives`) or as representative (`principals`), with their evidence, validity and whether the principal may revoke them.
     */
    get: operations['listMyRepresentatives'];
    put?: never;
    /**
     * Delegate to another person
     * @description The signed-in citizen lets a person approve consent requests about them for the listed record types, until `validUntil` (at most a year). Refused when a protection order bars that person. Send the session's CSRF token.
     */
    post: operations['createMyDelegation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/representatives/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke a grant (as principal) or step down (as representative)
     * @description A principal revokes an own delegation or an agent's power of attorney; a guardian's grant is ended by the court, not by the principal (403). A representative may always step down. Send the session's CSRF token.
     */
    post: operations['revokeMyRepresentative'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/representatives': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Register a guardian's or agent's grant
     * @description On evidence checked off-line (court decision, family relation, power of attorney), whose reference is kept. Refused when a protection order bars the representative from the principal.
     */
    post: operations['adminCreateRepresentative'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/catalog': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List record types
     * @description The record types the gateway can fetch, sorted by id, with names in English, Korean and Japanese, holder, subject kind, identifier scheme, consent class and access modes. Filter by category, subject kind or text (id and names, any language). Public; supports ETag / If-None-Match.
     */
    get: operations['listCatalog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/catalog/categories': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List record categories
     * @description Every category of the catalog with its names and how many record types it holds.
     */
    get: operations['listCatalogCategories'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/catalog/{recordTypeId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a record type
     * @description One record type in full, with its disclosure variants, fact checks and the JSON Schema 2020-12 of its fields (each field has a description and an `x-sensitivity`). 404 `record_type_unknown` when there is no such type.
     */
    get: operations['getCatalogEntry'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/identifier-schemes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List identifier schemes
     * @description The identifier schemes record types are queried by (resident registration number, business registration number, parcel number, VIN ...), each with a synthetic example in canonical and masked form.
     */
    get: operations['listIdentifierSchemes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/identifier-schemes/{scheme}/check': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Check an identifier
     * @description Validates an identifier as typed (format, date, check digit) and returns its canonical and masked forms; 400 `identifier_invalid` naming the scheme otherwise. Nothing is stored or logged. Only the official hyphens are accepted; full-width digits, spaces and control characters are refused, never repaired.
     */
    post: operations['checkIdentifier'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * @description Whom a record is about.
     * @enum {unknown}
     */
    SubjectKind: 'person' | 'corporation' | 'object';
    CatalogDescription: {
      en: string;
      ja: string;
    };
    /** @description The agency that keeps the source registry. */
    CatalogHolder: {
      id: string;
      names: components['schemas']['LocalisedNames'];
    };
    CatalogSummary: {
      id: string;
      version: number;
      names: components['schemas']['LocalisedNames'];
      description: components['schemas']['CatalogDescription'];
      category: string;
      holder: components['schemas']['CatalogHolder'];
      subjectKind: components['schemas']['SubjectKind'];
      identifierScheme: string;
      /**
       * @description consent-required - the subject must consent; no-subject-fee - object records, a fee instead; statutory-only - only purposes whose legal basis allows access without consent.
       * @enum {unknown}
       */
      consentClass: 'consent-required' | 'no-subject-fee' | 'statutory-only';
      accessModes: ('full' | 'fact-check' | 'citizen-selectable')[];
    };
    CatalogPage: {
      items: components['schemas']['CatalogSummary'][];
      /** @description Pass as `after` for the next page; null on the last page. */
      next: string | null;
      /** @description Record types matching the filter, over all pages. */
      total: number;
    };
    CatalogEntry: components['schemas']['CatalogSummary'] & {
      /** @description Document forms the registry issues, each limited to some fields. */
      disclosureVariants: {
        id: string;
        names: components['schemas']['LocalisedNames'];
        description: components['schemas']['CatalogDescription'];
        fields: string[];
        default?: boolean;
        justificationRequired?: boolean;
      }[];
      /** @description Yes/no questions the record answers without revealing values. */
      factChecks: {
        id: string;
        description: components['schemas']['CatalogDescription'];
        basis: string[];
      }[];
      citizenSelection?: {
        mandatoryFields: string[];
      };
      /** @description JSON Schema 2020-12 of the record's fields; every field has `description` and `x-sensitivity` (public, personal, identifier, sensitive). */
      schema: Record<string, unknown>;
    };
    CatalogCategory: {
      id: string;
      names: components['schemas']['LocalisedNames'];
      recordTypeCount: number;
    };
    IdentifierScheme: {
      id: string;
      names: {
        en: string;
        ja: string;
      };
      /** @description A synthetic valid identifier in canonical form. */
      example: string;
      exampleMasked: string;
      recordTypeCount: number;
    };
    IdentifierCheck: {
      scheme: string;
      canonical: string;
      masked: string;
    };
    /**
     * @description REQUESTED -> ACTIVE | REJECTED; ACTIVE <-> PAUSED; -> REVOKED | EXPIRED | EXHAUSTED.
     * @enum {string}
     */
    ConsentStatus: 'REQUESTED' | 'ACTIVE' | 'REJECTED' | 'PAUSED' | 'REVOKED' | 'EXPIRED' | 'EXHAUSTED';
    /**
     * @description citizen (approved on our screen), attested (paper form recorded by a clerk), statutory (legal basis, no consent).
     * @enum {string}
     */
    ConsentMode: 'citizen' | 'attested' | 'statutory';
    /** @enum {string} */
    PeriodUnit: 'day' | 'week' | 'month' | 'year';
    /** @description The period the records may cover (inclusive dates). */
    DataRange: {
      /** Format: date */
      from: string;
      /** Format: date */
      to: string;
    };
    /** @description How long the requester may keep what it receives. */
    DataLife: {
      unit: components['schemas']['PeriodUnit'];
      value: number;
    };
    FieldNames: string[];
    /** @description once (one use); limited (up to maxUses); periodic (at most `frequency.value` per unit, maxUses = periods x value). */
    ConsentUsage:
      | {
          /** @constant */
          fetch: 'once';
          /** @constant */
          maxUses: 1;
        }
      | {
          /** @constant */
          fetch: 'limited';
          maxUses: number;
        }
      | {
          /** @constant */
          fetch: 'periodic';
          frequency: components['schemas']['ConsentFrequency'];
          maxUses: number;
        };
    ConsentFrequency: {
      unit: components['schemas']['PeriodUnit'];
      value: number;
    };
    /** @description Granted field names per record type; "all" where a paper form or a statute covers the whole record. */
    GrantedFields: {
      [key: string]: components['schemas']['FieldNames'] | 'all';
    };
    ConsentRequestInput: {
      /** @description The citizen, when the requester knows them; otherwise the citizen who signs in and approves becomes the subject. Never stored in clear. */
      subject?: {
        /** @enum {unknown} */
        scheme: 'rrn' | 'frn';
        id: string;
      };
      /** @description Purpose code from the purpose registry. */
      purpose: string;
      records: {
        recordType: string;
        /** @description Top-level fields of the record type's schema; the citizen may untick optional ones. */
        fields: {
          required: components['schemas']['FieldNames'];
          optional?: components['schemas']['FieldNames'];
        };
      }[];
      /** @description Validity from approval, at most the purpose's maxConsentDays. */
      durationDays: number;
      /** @description once, up to N uses, or periodic. */
      usage:
        | {
            /** @constant */
            fetch: 'once';
          }
        | {
            /** @constant */
            fetch: 'limited';
            maxUses: number;
          }
        | {
            /** @constant */
            fetch: 'periodic';
            frequency: components['schemas']['ConsentFrequency'];
          };
      dataRange?: components['schemas']['DataRange'];
      dataLife: components['schemas']['DataLife'];
      /**
       * Format: uri
       * @description Where the citizen returns after deciding (with consent_id, status and state); must be registered for the client.
       */
      redirectUri?: string;
      /** @description Opaque value returned with the redirect. */
      state?: string;
      /**
       * Format: uri
       * @description Receives every change as a signed Security Event Token (POST, application/secevent+jwt).
       */
      webhookUrl?: string;
      /**
       * @description The citizen's preferred language, when known.
       * @enum {unknown}
       */
      language?: 'ko' | 'en' | 'ja';
    };
    ConsentRequestView: {
      /**
       * Format: uuid
       * @description The request id, which is also the consent id.
       */
      id: string;
      status: components['schemas']['ConsentStatus'];
      version: number;
      mode: components['schemas']['ConsentMode'];
      purpose: string;
      recordTypes: string[];
      /**
       * Format: uri
       * @description Our approval screen for this request.
       */
      citizenUrl: string;
      /** @description While pending, an 8-character code for the counter (QR or typed). */
      shortCode: string | null;
      /** Format: uri */
      shortUrl: string | null;
      /**
       * Format: date-time
       * @description When the pending request lapses.
       */
      expiresAt: string;
      /** Format: date-time */
      validFrom: string | null;
      /** Format: date-time */
      validUntil: string | null;
      fieldsGranted: components['schemas']['GrantedFields'] | null;
      usage: components['schemas']['ConsentUsage'];
      useCount: number;
      statusReason: string | null;
      /** Format: date-time */
      updatedAt: string;
    };
    ConsentToken: {
      /** @description Compact JWS, typ consent+jwt, ES256. */
      token: string;
      /** @constant */
      tokenType: 'consent+jwt';
      /** Format: date-time */
      expiresAt: string;
      /** Format: uuid */
      consentId: string;
      version: number;
    };
    /** @description Who is barred. A person by national ID (stored only as its subject key), an organisation by id, a clerk by clerk id. */
    ProtectionParty: {
      /** @enum {string} */
      kind: 'person' | 'organisation' | 'clerk';
      nationalId?: string;
      orgId?: string;
      clerkId?: string;
      /** @description What the citizen calls the party; never shown to the party. */
      label?: string;
    };
    NewCourtProtectionOrder: {
      subject: {
        nationalId: string;
      };
      party: components['schemas']['ProtectionParty'];
      courtOrderRef: string;
    };
    ProtectionOrder: {
      /** Format: uuid */
      id: string;
      party: {
        /** @enum {string} */
        kind: 'person' | 'organisation' | 'clerk';
        orgId?: string;
        clerkId?: string;
        label: string | null;
      };
      /** @enum {string} */
      registeredBy: 'citizen' | 'admin';
      courtOrderRef: string | null;
      /** @enum {string} */
      status: 'in_force' | 'withdrawn';
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      withdrawnAt: string | null;
    };
    ProtectionOrderList: {
      items: components['schemas']['ProtectionOrder'][];
    };
    NamedParty: {
      scheme: string;
      id: string;
      name: string;
    };
    NewDelegation: {
      representative: components['schemas']['NamedParty'];
      principalName: string;
      recordTypes: string[];
      /** Format: date-time */
      validUntil: string;
    };
    NewRepresentativeGrant: {
      /** @enum {string} */
      kind: 'guardian_minor' | 'guardian_adult' | 'agent';
      representative: components['schemas']['NamedParty'];
      principal: components['schemas']['NamedParty'];
      recordTypes: string[];
      /** Format: date-time */
      validUntil: string;
      evidence: {
        /** @enum {string} */
        kind: 'court_decision' | 'family_relation' | 'power_of_attorney';
        reference: string;
      };
    };
    RepresentativeGrant: {
      /** Format: uuid */
      id: string;
      /** @enum {string} */
      kind: 'guardian_minor' | 'guardian_adult' | 'agent' | 'delegation';
      representative: {
        name: string;
      };
      principal: {
        name: string;
      };
      recordTypes: string[];
      /** Format: date-time */
      validUntil: string;
      evidence: {
        /** @enum {string} */
        kind: 'court_decision' | 'family_relation' | 'power_of_attorney' | 'own_delegation';
        reference: string;
      };
      /** @enum {string} */
      registeredBy: 'citizen' | 'admin';
      /** @enum {string} */
      status: 'active' | 'expired' | 'revoked';
      revocableByPrincipal: boolean;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      revokedAt: string | null;
    };
    RepresentativeGrants: {
      representatives: components['schemas']['RepresentativeGrant'][];
      principals: components['schemas']['RepresentativeGrant'][];
    };
    MyConsent: {
      /** Format: uuid */
      id: string;
      status: components['schemas']['ConsentStatus'];
      version: number;
      mode: components['schemas']['ConsentMode'];
      requester: {
        org: string;
        class: string;
        names: components['schemas']['LocalisedNames'];
      };
      /** @description The clerk who recorded a counter consent. */
      clerkId: string | null;
      purpose: {
        code: string;
        names: components['schemas']['LocalisedNames'];
        legalBasis: string;
      };
      recordTypes: string[];
      fieldsGranted: components['schemas']['GrantedFields'] | null;
      dataRange: components['schemas']['DataRange'] | null;
      usage: components['schemas']['ConsentUsage'];
      useCount: number;
      /** Format: date-time */
      lastUsedAt: string | null;
      dataLife: components['schemas']['DataLife'] | null;
      /** Format: date-time */
      validFrom: string | null;
      /** Format: date-time */
      validUntil: string | null;
      collectionMethod: string;
      /** @description The paper form's reference (attested mode). */
      documentReference: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      /** @description Every change, oldest first. */
      events?: {
        /** Format: date-time */
        at: string;
        /** @enum {unknown} */
        type:
          | 'requested'
          | 'approved'
          | 'rejected'
          | 'paused'
          | 'resumed'
          | 'revoked'
          | 'expired'
          | 'exhausted'
          | 'attested'
          | 'statutory';
        state: components['schemas']['ConsentStatus'];
        actor: string;
        reason: string | null;
      }[];
    };
    MyConsentPage: {
      items: components['schemas']['MyConsent'][];
      next: string | null;
    };
    Me: {
      /** @enum {unknown} */
      kind: 'citizen' | 'clerk' | 'client' | 'staff';
      /** @description Subject at the identity provider (people only). */
      sub?: string;
      /** @description How the citizen authenticated (authentication context class). */
      acr?: string;
      amr?: string[];
      /** Format: date-time */
      authTime?: string;
      clerkId?: string;
      /** @description Organisation of a clerk or API client. */
      orgId?: string;
      name?: string;
      clientId?: string;
      scope?: string[];
      /** @description Whether the client's access token is bound to a DPoP key. */
      dpopBound?: boolean;
      /** @enum {unknown} */
      role?: 'admin' | 'auditor';
    };
    QueryRequest: {
      /** @description Purpose code from the purpose registry. */
      purpose: string;
      /** @description The person or corporation the records are about. */
      subject?: {
        /** @enum {unknown} */
        scheme: 'rrn' | 'frn' | 'brn' | 'crn';
        id: string;
      };
      records?: {
        recordType: string;
        fields?: string[];
        /** @description For object records (parcel, vehicle, ship, patent), the object's identifier. */
        identifier?: string;
        factChecks?: string[];
      }[];
      /** @description Ask for every record type of the purpose (a procedure) instead of listing records. */
      procedure?: boolean;
      /** @enum {unknown} */
      mode: 'full' | 'fact-check';
      consent?:
        | {
            token: string;
          }
        | {
            /** @constant */
            mode: 'citizen';
            consentId: string;
          }
        | {
            /** @constant */
            mode: 'attested';
            documentReference: string;
            /** @description The signed form also states the citizen's separate agreement to the sensitive information and unique identifiers of these records (PIPA arts. 23, 24). Without it, a query that would release one is refused with `separate_consent_required`. */
            separateAgreement?: boolean;
          }
        | {
            /** @constant */
            mode: 'statutory';
          };
      /** @description Also return a JWS over each released record, verifiable against /.well-known/jwks.json. */
      signedCopy?: boolean;
    };
    QueryRecordResult: {
      recordType: string;
      /** @enum {unknown} */
      outcome: 'released' | 'denied' | 'provider_error';
      /** @description The released fields in their forms (the policy's derived schema has already been enforced). */
      released?: Record<string, unknown>;
      fields?: {
        name: string;
        form: string;
      }[];
      withheld?: {
        /** @description A field, a predicate output, or a nested path (`/members/*\/residentRegistrationNumber`, `/addressHistory/*`). */
        name: string;
        /**
         * @description no_rule, policy_denied (incl. an identifier nested in a released field that no path names), not_requested, not_consented, not_in_record, unknown_field, outside_data_range (dated outside the purpose's reach or the consent's range).
         * @enum {unknown}
         */
        reason:
          | 'no_rule'
          | 'policy_denied'
          | 'not_requested'
          | 'not_consented'
          | 'not_in_record'
          | 'unknown_field'
          | 'outside_data_range';
      }[];
      factChecks?: {
        [key: string]: boolean;
      };
      policy?: null | {
        id: string;
        version: string;
      };
      provenance?: {
        holder: string;
        provider: string;
        /** Format: date-time */
        retrievedAt: string;
      };
      audit: {
        entryId: number;
        /** @description base64url (no padding) SHA-256 of the RFC 8785 canonical audit entry (docs/log-formats.md §2). */
        digest: string;
      };
      signedCopy?: string;
      error?: {
        code: string;
        detail: string;
        /** @description On a provider error, the holding agency whose registry failed (catalog code, e.g. `nts`); records held by other agencies are fetched independently and still released. */
        holder?: string;
      };
    };
    QueryResponse: {
      queryId: string;
      purpose: string;
      /** @enum {unknown} */
      mode: 'full' | 'fact-check';
      consent: {
        id: string | null;
        /** @enum {unknown} */
        mode: 'citizen' | 'attested' | 'statutory' | 'none';
      };
      records: components['schemas']['QueryRecordResult'][];
    };
    /** @description A SHA-256 value in standard padded base64. */
    Base64Hash: string;
    PublicJwks: {
      keys: {
        /** @enum {unknown} */
        kty: 'EC' | 'OKP';
        kid: string;
        /** @enum {unknown} */
        alg: 'ES256' | 'EdDSA';
        /** @constant */
        use: 'sig';
        crv?: string;
        x?: string;
        y?: string;
      }[];
    };
    InclusionProof: {
      index: number;
      size: number;
      proof: components['schemas']['Base64Hash'][];
    };
    ConsistencyProof: {
      from: number;
      to: number;
      proof: components['schemas']['Base64Hash'][];
    };
    LeafBundle: {
      start: number;
      treeSize: number;
      entries: {
        index: number;
        leaf: components['schemas']['Base64Hash'];
        leafHash: components['schemas']['Base64Hash'];
      }[];
    };
    /** @description The canonical (RFC 8785) entry as committed. No national ID; the subject is a keyed pseudonym. A verifier canonicalises it exactly as served, every member included (docs/log-formats.md §2). */
    AuditEntryBody: {
      /** @constant */
      v: 1;
      requestId: string;
      subjectKey: string;
      /** Format: date-time */
      createdAt: string;
      /** @enum {unknown} */
      outcome: 'released' | 'denied' | 'provider_error';
      reasonCode?: string;
      requester: {
        org: string;
        clientId?: string;
        clerkRef?: string;
      };
      purpose: string;
      legalBasis?: string;
      consent?: {
        id?: string;
        /** @enum {unknown} */
        mode: 'citizen' | 'attested' | 'statutory';
      };
      recordType: string;
      fields: {
        name: string;
        form: string;
      }[];
      /** Format: date-time */
      embargoUntil?: string;
      /**
       * @description On a refusal only. A `purpose` or `recordType` the client sent that is not a plain code
       *     (`^[A-Za-z0-9._:/-]{1,200}$`) is recorded as `-undescribed`, and here as the SHA-256
       *     (lowercase hex) of the value's UTF-8 bytes and their number (a value that is not a string,
       *     which only a request the contract refused can hold, as its JSON text). A refusal that names
       *     no record (a procedure under a refused purpose, a request refused before its records were
       *     read) has `recordType` `-none`, and one whose request had no purpose has `purpose` `-none`.
       */
      undescribed?: {
        purpose?: components['schemas']['UndescribedValue'];
        recordType?: components['schemas']['UndescribedValue'];
      };
      /**
       * @description On a refusal only: no subject could be read from the request, so `subjectKey` is the
       *     requester's own pseudo subject, HMAC-SHA256(pepper, "requester:" + "client:<clientId>" or
       *     "clerk:<clerkRef>"), and the entry chains with that requester's other unattributed refusals.
       * @constant
       */
      unattributed?: true;
      /** @description On a provider error only. The holding agency whose registry failed (its code in the catalog, e.g. `nts`); the other records of the same query are unaffected. */
      holder?: string;
    };
    UndescribedValue: {
      sha256: string;
      bytes: number;
    };
    AccessLogEntry: {
      /** @description Log index of the leaf. */
      index: number;
      /** @description Place in the citizen's chain (committed in the leaf); a jump in seq is a missing entry. */
      subject: {
        seq: number;
        prevIndex: number | null;
      };
      entry: components['schemas']['AuditEntryBody'];
      /** @description The 32-byte opening of the leaf. Leaf = SHA-256("joint-use-center/audit-entry/v1\n" || salt || JCS({entry, subject {key, prevIndex, seq}, v 1})), docs/log-formats.md §3-§4. */
      salt: components['schemas']['Base64Hash'];
      /** @description The leaf value (the salted commitment); its RFC 6962 leaf hash is SHA-256(0x00 || leaf). */
      leaf: components['schemas']['Base64Hash'];
      inclusionProof: components['schemas']['Base64Hash'][] | null;
    };
    AccessLogPage: {
      /** @description The signed checkpoint the proofs refer to. */
      checkpoint: string | null;
      treeSize: number;
      logKeys: string[];
      consistency: null | {
        fromSize: number;
        toSize: number;
        proof: components['schemas']['Base64Hash'][];
      };
      entries: components['schemas']['AccessLogEntry'][];
      nextCursor: string | null;
      /** @description Durable entries about the citizen not yet placed in the log. */
      pending: number;
    };
    LocalisedNames: {
      en: string;
      ko: string;
      ja: string;
    };
    /** @enum {unknown} */
    OrgClass: 'agency' | 'public-institution' | 'bank';
    /** @enum {unknown} */
    ActiveStatus: 'active' | 'suspended';
    Organisation: {
      id: string;
      class: components['schemas']['OrgClass'];
      names: components['schemas']['LocalisedNames'];
      status: components['schemas']['ActiveStatus'];
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    OrganisationStrict: components['schemas']['Organisation'];
    NewOrganisation: {
      id: string;
      class: components['schemas']['OrgClass'];
      names: components['schemas']['LocalisedNames'];
    };
    OrganisationPage: {
      items: components['schemas']['Organisation'][];
      next: string | null;
    };
    PurposeBounds: {
      maxConsentDays: number;
      maxUses: number;
      maxDataRangeDays: number;
      /** @description Investigations only (statutory purposes): days each access stays hidden from the citizen's history and notices; auditors see it at once. */
      embargoDays?: number;
      /** @description The law that allows the embargo, e.g. Criminal Procedure Act art. 198. */
      embargoLegalBasis?: string;
    };
    PurposeFields: {
      code: string;
      names: components['schemas']['LocalisedNames'];
      legalBasis: string;
      /** @enum {unknown} */
      consentBasis: 'consent' | 'statutory' | 'consent-or-statutory';
      recordTypes: string[];
      bounds: components['schemas']['PurposeBounds'];
      procedure: boolean;
    };
    NewPurpose: components['schemas']['PurposeFields'];
    Purpose: components['schemas']['PurposeFields'] & {
      /** @enum {unknown} */
      status: 'active' | 'retired';
    };
    PurposePage: {
      items: components['schemas']['Purpose'][];
      next: string | null;
    };
    Jwks: {
      keys: {
        /** @enum {unknown} */
        kty: 'EC' | 'OKP' | 'RSA';
        kid?: string;
      }[];
    };
    NewApiClient: {
      id?: string;
      name: string;
      jwks: components['schemas']['Jwks'];
      dpopRequired: boolean;
    };
    ApiClient: {
      id: string;
      orgId: string;
      name: string;
      jwks: components['schemas']['Jwks'];
      dpopRequired: boolean;
      status: components['schemas']['ActiveStatus'];
      /** Format: date-time */
      createdAt: string;
    };
    Clerk: {
      id: string;
      orgId: string;
      idpIssuer: string;
      idpSub: string;
      name: string;
      status: components['schemas']['ActiveStatus'];
    };
    Readiness: {
      /** @enum {unknown} */
      status: 'ready' | 'not_ready';
      checks: {
        /** @enum {unknown} */
        database: 'ok' | 'failing' | 'pending';
        /** @enum {unknown} */
        migrations: 'ok' | 'failing' | 'pending';
        /**
         * @description failing from a refused audit append until one is accepted (or 10 s pass with none), as a full or unwritable audit store makes every data request 503.
         * @enum {unknown}
         */
        audit: 'ok' | 'failing';
        draining: boolean;
      };
    };
    PolicyRef: {
      id: string;
      version: string;
    };
    /** @description A rule and where it is written - the policy file and the JSON pointer inside it. */
    PolicyRuleRef: {
      id: string;
      file: string;
      pointer: string;
    };
    /** @description How a released field is transformed; see policies/README.md. */
    PolicyFieldForm: {
      /** @enum {unknown} */
      form: 'full' | 'hash' | 'mask' | 'truncate' | 'generalise' | 'predicate';
      keepStart?: number;
      keepEnd?: number;
      char?: string;
      preserve?: string;
      length?: number;
      /** @enum {unknown} */
      to?: 'year' | 'age_band' | 'district' | 'bracket';
      width?: number;
      max?: number;
      depth?: number;
      bounds?: number[];
      name?: string;
      args?: Record<string, unknown>;
      from?: {
        [key: string]: string;
      };
    };
    PolicyFieldExplanation: {
      /** @description A record field, the output name of a predicate, or a nested path under a field released in full (JSON Pointer, `*` for any item or property, e.g. `/members/*\/residentRegistrationNumber`), listed after its field. Identifiers nested in a released field are withheld unless a path names them. */
      name: string;
      /** @enum {unknown} */
      outcome: 'released' | 'withheld';
      form?: components['schemas']['PolicyFieldForm'];
      /** @enum {unknown} */
      reason?: 'no_rule' | 'policy_denied';
      /** @description Record fields the output is computed from. */
      sources: string[];
      rule: components['schemas']['PolicyRuleRef'] | null;
      detail: string;
      /** @description The field holds dated values: entries (or the field itself) dated outside the purpose's reach (maxDays back from today in Korea) or the consent's range are withheld as outside_data_range. */
      dataRange?: {
        /** @constant */
        reason: 'outside_data_range';
        /** @description The dates that place the values in time, e.g. /addressHistory/*\/movedInDate. */
        datedBy: string[];
        maxDays: number | null;
      };
    };
    PolicyExplanation: {
      requester: {
        orgId?: string;
        class?: components['schemas']['OrgClass'];
      };
      purpose: string;
      recordType: string;
      policy: components['schemas']['PolicyRef'] | null;
      rule: components['schemas']['PolicyRuleRef'] | null;
      /** @description Every matching rule, most specific first; the first decides. */
      candidates: {
        id: string;
        file: string;
        pointer: string;
        policy: components['schemas']['PolicyRef'];
        requester: {
          class?: components['schemas']['OrgClass'];
          org?: string;
        };
        purpose: string;
        chosen: boolean;
      }[];
      fields: components['schemas']['PolicyFieldExplanation'][];
    };
    /** @description RFC 9457 problem details with a stable machine-readable code. */
    Problem: {
      /** Format: uri */
      type: string;
      title: string;
      status: number;
      detail?: string;
      instance?: string;
      requestId?: string;
      /** @description With `insufficient_scope`, the scope sets of which the access token must hold one. */
      requiredScopes?: string[];
      /** @description With `separate_consent_required` (and `purpose_not_allowed`), the record type concerned. */
      recordType?: string;
      /** @description With `separate_consent_required`, the outputs that carry sensitive information or a unique identifier (PIPA arts. 23, 24) the consent has no separate agreement for. */
      fields?: string[];
      /** @enum {string} */
      code:
        | 'validation_failed'
        | 'unauthenticated'
        | 'forbidden'
        | 'insufficient_scope'
        | 'consent_required'
        | 'consent_invalid'
        | 'consent_revoked'
        | 'consent_exhausted'
        | 'separate_consent_required'
        | 'subject_mismatch'
        | 'purpose_not_allowed'
        | 'record_type_unknown'
        | 'identifier_invalid'
        | 'provider_unavailable'
        | 'provider_timeout'
        | 'audit_unavailable'
        | 'rate_limited'
        | 'cross_site_request'
        | 'not_found'
        | 'method_not_allowed'
        | 'payload_too_large'
        | 'header_too_large'
        | 'uri_too_long'
        | 'request_timeout'
        | 'unsupported_media_type'
        | 'conflict'
        | 'service_unavailable'
        | 'internal';
      errors?: {
        pointer: string;
        message: string;
      }[];
    };
  };
  responses: {
    /** @description The tile's bytes (hashes, or length-prefixed leaf values for `entries`). */
    Tile: {
      headers: {
        /** @description `public, max-age=31536000, immutable` */
        'Cache-Control'?: string;
        [name: string]: unknown;
      };
      content: {
        'application/octet-stream': string;
      };
    };
    /** @description The partial tile's bytes. */
    TilePartial: {
      headers: {
        /** @description `public, max-age=60` */
        'Cache-Control'?: string;
        [name: string]: unknown;
      };
      content: {
        'application/octet-stream': string;
      };
    };
    /** @description An RFC 9457 problem. */
    Problem: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: {
    /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
    TileLevel: string;
    /** @description Millions of the tile index, `x` and three digits (not `x000`). */
    TileIndexX2: string;
    /** @description Thousands of the tile index, `x` and three digits (not `x000` when first). */
    TileIndexX1: string;
    /** @description Last three digits of the tile index. */
    TileIndexLast: string;
    /** @description Width of a partial tile, 1-255, no leading zeros. */
    TileWidth: string;
    /** @description An ETag from an earlier response; 304 when it still matches. */
    IfNoneMatch: string;
    /** @description Protection order or representative grant id. */
    GrantId: string;
    /** @description Consent (or consent request) id. */
    ConsentId: string;
    /** @description Tree size (number of leaves). */
    TreeSize: number;
    /** @description Only entries at or after this instant. */
    AccessLogFrom: string;
    /** @description Only entries before this instant. */
    AccessLogTo: string;
    /** @description Only entries of this requesting organisation. */
    AccessLogOrganisation: string;
    /** @description Only entries about this record type. */
    AccessLogRecordType: string;
    /** @description Page size (1-100, default 50). */
    Limit: number;
    /** @description The `next` cursor of the previous page. */
    After: string;
    /** @description Organisation id. */
    OrgId: string;
    /** @description API client id. */
    ClientId: string;
    /** @description Purpose code. */
    PurposeCode: string;
  };
  requestBodies: {
    /** @description An optional reason, kept in the consent's history. */
    ConsentChange: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    Reason: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
  };
  headers: {
    /** @description Validator of this representation; send it back in If-None-Match. */
    ETag: string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getLiveness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process is alive. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @constant */
            status: 'ok';
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready to serve. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      /** @description Not ready; retry after the given delay. */
      503: {
        headers: {
          /** @description Seconds to wait before asking again. */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getMetrics: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Metrics in the Prometheus text exposition format. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listPurposes: {
    parameters: {
      query?: {
        /** @description Page size (1-100, default 50). */
        limit?: components['parameters']['Limit'];
        /** @description The `next` cursor of the previous page. */
        after?: components['parameters']['After'];
        /** @description Only purposes that may use this record type. */
        recordType?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of purposes. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PurposePage'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getPurpose: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Purpose code. */
        code: components['parameters']['PurposeCode'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The purpose. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Purpose'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  explainPolicy: {
    parameters: {
      query: {
        /** @description Requester class. */
        class?: components['schemas']['OrgClass'];
        /** @description A registered organisation; rules for it beat rules for its class. */
        org?: string;
        /** @description Purpose code from the purpose registry. */
        purpose: string;
        /** @description Record type id from the catalog. */
        recordType: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The policy outcome of each field. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PolicyExplanation'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminListOrganisations: {
    parameters: {
      query?: {
        /** @description Page size (1-100, default 50). */
        limit?: components['parameters']['Limit'];
        /** @description The `next` cursor of the previous page. */
        after?: components['parameters']['After'];
        /** @description Only this class of organisation. */
        class?: components['schemas']['OrgClass'];
        /** @description Only active or only suspended organisations. */
        status?: components['schemas']['ActiveStatus'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of organisations. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrganisationPage'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreateOrganisation: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewOrganisation'];
      };
    };
    responses: {
      /** @description Registered. */
      201: {
        headers: {
          /** @description Where the organisation can be read. */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrganisationStrict'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminGetOrganisation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The organisation. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Organisation'] & {
            purposes: string[];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminSuspendOrganisation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Reason'];
    responses: {
      /** @description Suspended. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrganisationStrict'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminReinstateOrganisation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Reason'];
    responses: {
      /** @description Active again. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OrganisationStrict'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminSetEntitlements: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          purposes: string[];
        };
      };
    };
    responses: {
      /** @description The entitlements now in force. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            purposes: string[];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminListClients: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The clients. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['ApiClient'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreateClient: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewApiClient'];
      };
    };
    responses: {
      /** @description Registered. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiClient'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminSuspendClient: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description API client id. */
        clientId: components['parameters']['ClientId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Reason'];
    responses: {
      /** @description Suspended. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiClient'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminReinstateClient: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description API client id. */
        clientId: components['parameters']['ClientId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Reason'];
    responses: {
      /** @description Active again. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiClient'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminListClerks: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The clerks. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Clerk'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreateClerk: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Organisation id. */
        orgId: components['parameters']['OrgId'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: uri */
          idpIssuer: string;
          idpSub: string;
          name: string;
        };
      };
    };
    responses: {
      /** @description Registered. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Clerk'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreatePurpose: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewPurpose'];
      };
    };
    responses: {
      /** @description Registered. */
      201: {
        headers: {
          /** @description Where the purpose can be read. */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Purpose'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminRetirePurpose: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Purpose code. */
        code: components['parameters']['PurposeCode'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Reason'];
    responses: {
      /** @description Retired. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Purpose'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getJwks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A JSON Web Key Set of public keys only. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PublicJwks'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Verifier keys, one per line. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogCheckpoint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A signed note. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getTlogCheckpoint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A signed note with the witnesses' cosignatures. */
      200: {
        headers: {
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogTile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['Tile'];
      default: components['responses']['Problem'];
    };
  };
  getLogTileX1: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Thousands of the tile index, `x` and three digits (not `x000` when first). */
        x1: components['parameters']['TileIndexX1'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['Tile'];
      default: components['responses']['Problem'];
    };
  };
  getLogTileX2: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Millions of the tile index, `x` and three digits (not `x000`). */
        x2: components['parameters']['TileIndexX2'];
        /** @description Thousands of the tile index, `x` and three digits (not `x000` when first). */
        x1: components['parameters']['TileIndexX1'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['Tile'];
      default: components['responses']['Problem'];
    };
  };
  getLogPartialTile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
        /** @description Width of a partial tile, 1-255, no leading zeros. */
        width: components['parameters']['TileWidth'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['TilePartial'];
      default: components['responses']['Problem'];
    };
  };
  getLogPartialTileX1: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Thousands of the tile index, `x` and three digits (not `x000` when first). */
        x1: components['parameters']['TileIndexX1'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
        /** @description Width of a partial tile, 1-255, no leading zeros. */
        width: components['parameters']['TileWidth'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['TilePartial'];
      default: components['responses']['Problem'];
    };
  };
  getLogPartialTileX2: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Tile level (0-63, no leading zeros), or `entries` for an entry bundle. */
        level: components['parameters']['TileLevel'];
        /** @description Millions of the tile index, `x` and three digits (not `x000`). */
        x2: components['parameters']['TileIndexX2'];
        /** @description Thousands of the tile index, `x` and three digits (not `x000` when first). */
        x1: components['parameters']['TileIndexX1'];
        /** @description Last three digits of the tile index. */
        n0: components['parameters']['TileIndexLast'];
        /** @description Width of a partial tile, 1-255, no leading zeros. */
        width: components['parameters']['TileWidth'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['TilePartial'];
      default: components['responses']['Problem'];
    };
  };
  auditorListEntries: {
    parameters: {
      query?: {
        /** @description Requesting organisation id. */
        organisation?: string;
        /** @description Clerk reference. */
        clerk?: string;
        /** @description API client id. */
        client?: string;
        /** @description Purpose code. */
        purpose?: string;
        /** @description Record type id. */
        record_type?: string;
        /** @description Released, denied or provider error. */
        outcome?: 'released' | 'denied' | 'provider_error';
        /** @description Earliest creation time (inclusive). */
        from?: string;
        /** @description Latest creation time (exclusive). */
        to?: string;
        /** @description Page size (1-100). */
        limit?: number;
        /** @description The `next` of the previous page. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of entries. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            next: string | null;
            items: {
              entryId: number;
              /** Format: date-time */
              createdAt: string;
              subjectKey: string;
              /** @enum {unknown} */
              outcome: 'released' | 'denied' | 'provider_error';
              reasonCode: string | null;
              requester: {
                org: string;
                clientId: string | null;
                clerkRef: string | null;
              };
              purpose: string;
              recordType: string;
              consent: null | {
                id: string | null;
                /** @enum {unknown} */
                mode: 'citizen' | 'attested' | 'statutory';
              };
              fields: {
                name: string;
                form: string;
              }[];
              logIndex: number | null;
              /**
               * Format: date-time
               * @description Until when the entry is hidden from the citizen (an investigation's embargo); auditors see it at once. Null when it never was.
               */
              embargoUntil?: string | null;
            }[];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  auditorListAnomalies: {
    parameters: {
      query?: {
        /** @description Window start. */
        from?: string;
        /** @description Window end (default now). */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The flags in the window. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            thresholds: {
              [key: string]: number;
            };
            items: {
              /** @enum {unknown} */
              kind: 'harvesting' | 'off_hours_bulk' | 'repeated_denials';
              requester: string;
              /** Format: date-time */
              windowStart: string;
              /** Format: date-time */
              windowEnd: string;
              count: number;
            }[];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getAuditReceipt: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The `audit.entryId` of a query result. */
        entryId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The receipt, pending or included. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json':
            | {
                entryId: number;
                /** @constant */
                status: 'pending';
              }
            | {
                entryId: number;
                /** @constant */
                status: 'included';
                /** @description The entry's digest, as the answer's `audit.digest` (base64url SHA-256 of the entry's JCS). */
                digest: string;
                /** @description Base64 leaf value (the salted commitment) at `index`. */
                leaf: string;
                /**
                 * @description Compact JWS (`typ` `audit-receipt+jws`, the signed-copy key of /.well-known/jwks.json) over the
                 *     JCS of `{iss, entryId, digest, index, leaf}`: binds the answer's signed copy to this leaf, so the
                 *     copy, this receipt and the checkpoint verify offline (`npm run evidence:verify`, docs/log-formats.md §14).
                 */
                attestation: string;
                index: number;
                /** @description Base64 RFC 6962 leaf hash. */
                leafHash: string;
                treeSize: number;
                proof: string[];
                /** @description The C2SP signed note the proof is against. */
                checkpoint: string;
              };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogInclusionProof: {
    parameters: {
      query: {
        /** @description Leaf index (0-based). */
        index: number;
        /** @description Tree size (number of leaves). */
        size: components['parameters']['TreeSize'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The proof hashes, leaf to root. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InclusionProof'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogConsistencyProof: {
    parameters: {
      query: {
        /** @description Older tree size (at least 1). */
        from: number;
        /** @description Newer tree size. */
        to: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The proof hashes. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsistencyProof'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getLogEntries: {
    parameters: {
      query: {
        /** @description First leaf index. */
        start: number;
        /** @description How many leaves (1-1000, default 256). */
        count?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Consecutive leaves. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LeafBundle'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The authenticated caller. */
      200: {
        headers: {
          /** @description Always `no-store`. */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Me'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getMyAccessLog: {
    parameters: {
      query?: {
        /** @description Only entries at or after this instant. */
        from?: components['parameters']['AccessLogFrom'];
        /** @description Only entries before this instant. */
        to?: components['parameters']['AccessLogTo'];
        /** @description Only entries of this requesting organisation. */
        organisation?: components['parameters']['AccessLogOrganisation'];
        /** @description Only entries about this record type. */
        record_type?: components['parameters']['AccessLogRecordType'];
        /** @description The `nextCursor` of the previous page. */
        cursor?: string;
        /** @description Page size (1-100, default 50). */
        limit?: components['parameters']['Limit'];
        /** @description Tree size of the checkpoint the citizen verified before. */
        since_size?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of the citizen's entries. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccessLogPage'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  exportMyAccessLog: {
    parameters: {
      query?: {
        /** @description Only entries at or after this instant. */
        from?: components['parameters']['AccessLogFrom'];
        /** @description Only entries before this instant. */
        to?: components['parameters']['AccessLogTo'];
        /** @description Only entries of this requesting organisation. */
        organisation?: components['parameters']['AccessLogOrganisation'];
        /** @description Only entries about this record type. */
        record_type?: components['parameters']['AccessLogRecordType'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A CSV file with a header row. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  runQuery: {
    parameters: {
      query?: never;
      header?: {
        /** @description Client-chosen key (8-128 characters) that makes a retried query return the first answer. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['QueryRequest'];
      };
    };
    responses: {
      /** @description The outcome of every record asked for. */
      200: {
        headers: {
          /** @description Present (true) when this is the stored answer to an earlier query with the same key. */
          'Idempotent-Replayed'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueryResponse'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  createConsentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ConsentRequestInput'];
      };
    };
    responses: {
      /** @description The request, waiting for the citizen. */
      201: {
        headers: {
          /** @description Where the requester polls the request. */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsentRequestView'];
        };
      };
      /**
       * @description `rate_limited`: over CONSENT_REQUESTS_PER_MINUTE for this client (for a clerk, the agency), or over
       *     CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR requests naming this citizen from every requester together.
       *     Nothing was stored; retry after the given delay.
       */
      429: {
        headers: {
          /** @description Seconds until the exceeded window ends. */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getConsentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The request now. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsentRequestView'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  issueConsentToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A consent token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsentToken'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listMyConsents: {
    parameters: {
      query?: {
        /** @description Page size (1-100, default 50). */
        limit?: components['parameters']['Limit'];
        /** @description The `next` cursor of the previous page. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of consents. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyConsentPage'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  getMyConsent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The consent and its events. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyConsent'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  pauseMyConsent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['ConsentChange'];
    responses: {
      /** @description The consent after the change. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyConsent'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  resumeMyConsent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['ConsentChange'];
    responses: {
      /** @description The consent after the change. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyConsent'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  revokeMyConsent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Consent (or consent request) id. */
        id: components['parameters']['ConsentId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['ConsentChange'];
    responses: {
      /** @description The consent after the change. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyConsent'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listMyProtectionOrders: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The orders. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProtectionOrderList'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  createMyProtectionOrder: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProtectionParty'];
      };
    };
    responses: {
      /** @description In force from now. */
      201: {
        headers: {
          /** @description Where the order can be read. */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProtectionOrder'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  withdrawMyProtectionOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Protection order or representative grant id. */
        id: components['parameters']['GrantId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order, withdrawn. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProtectionOrder'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreateProtectionOrder: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewCourtProtectionOrder'];
      };
    };
    responses: {
      /** @description In force from now. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProtectionOrder'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listMyRepresentatives: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The grants. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RepresentativeGrants'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  createMyDelegation: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewDelegation'];
      };
    };
    responses: {
      /** @description In force from now. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RepresentativeGrant'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  revokeMyRepresentative: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Protection order or representative grant id. */
        id: components['parameters']['GrantId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The grant, revoked. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RepresentativeGrant'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  adminCreateRepresentative: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['NewRepresentativeGrant'];
      };
    };
    responses: {
      /** @description In force from now. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RepresentativeGrant'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listCatalog: {
    parameters: {
      query?: {
        /** @description Only record types of this category. */
        category?: string;
        /** @description Only record types about this kind of subject. */
        subjectKind?: components['schemas']['SubjectKind'];
        /** @description Case-insensitive text contained in the id or a name. */
        q?: string;
        /** @description Page size (1-100, default 50). */
        limit?: components['parameters']['Limit'];
        /** @description The `next` cursor of the previous page. */
        after?: components['parameters']['After'];
      };
      header?: {
        /** @description An ETag from an earlier response; 304 when it still matches. */
        'If-None-Match'?: components['parameters']['IfNoneMatch'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of record types. */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CatalogPage'];
        };
      };
      /** @description Not modified since the ETag given in If-None-Match. */
      304: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  listCatalogCategories: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag from an earlier response; 304 when it still matches. */
        'If-None-Match'?: components['parameters']['IfNoneMatch'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The categories. */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['CatalogCategory'][];
          };
        };
      };
      /** @description Not modified since the ETag given in If-None-Match. */
      304: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  getCatalogEntry: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag from an earlier response; 304 when it still matches. */
        'If-None-Match'?: components['parameters']['IfNoneMatch'];
      };
      path: {
        /** @description Record type id, e.g. `resident.registration-abstract-individual`. */
        recordTypeId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The record type. */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CatalogEntry'];
        };
      };
      /** @description Not modified since the ETag given in If-None-Match. */
      304: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  listIdentifierSchemes: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag from an earlier response; 304 when it still matches. */
        'If-None-Match'?: components['parameters']['IfNoneMatch'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The schemes. */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['IdentifierScheme'][];
          };
        };
      };
      /** @description Not modified since the ETag given in If-None-Match. */
      304: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  checkIdentifier: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Identifier scheme id, e.g. `rrn`, `brn`, `pnu`, `vin`. */
        scheme: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          value: string;
        };
      };
    };
    responses: {
      /** @description Valid; the canonical and masked forms. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IdentifierCheck'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
}
