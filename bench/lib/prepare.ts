/**
 * Bench data: registry persons, demo organisations and purposes, bench API clients, keys, many
 * approved consents (one per subject, inserted directly — the approval screen is not what is
 * measured) with their consent tokens, and signed-in citizens for the history reads.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import { subjectKey } from '../../server/audit/commitment.js';
import { createSessionsRepo } from '../../server/auth/sessions.repo.js';
import { loadCatalog, type Catalog } from '../../server/catalog/catalog.js';
import { canonicaliseIdentifier } from '../../server/catalog/identifiers/index.js';
import { issueConsentToken, recordHash } from '../../server/consents/consent-token.js';
import { consentTokenAudience } from '../../server/consents/consents.service.js';
import type { ConsentRecord } from '../../server/consents/consents.types.js';
import { demoClientPrivateJwk, publicPart } from '../../server/dev/demo-clients.js';
import {
  DEFAULT_API_RESOURCE,
  DEFAULT_API_SCOPE,
  startDevIdentityProvider,
  type DevIdentityProvider,
} from '../../server/dev/identity-provider.js';
import { seedRegistry } from '../../server/dev/registry/registry-seed.js';
import { FileKeyStore } from '../../server/keys/file-key-store.js';
import { KEY_PURPOSES } from '../../server/keys/key-store.js';
import { createOrganisationsRepo } from '../../server/organisations/organisations.repo.js';
import { createOrganisationsService } from '../../server/organisations/organisations.service.js';
import { seedOrganisations } from '../../server/organisations/seed.js';
import { loadProviderSigningKey } from '../../server/providers/provider-key.js';
import { historySubjectKey, historySubjects } from './history.js';

export const BENCH_ORG = 'org-bank-hanbit';
export const BENCH_PURPOSE = 'loan.mortgage-screening';
export const ONE_RECORD = ['resident.registration-abstract'];
export const THREE_RECORDS = [
  'resident.registration-abstract',
  'tax.income-amount-certificate',
  'tax.national-payment-certificate',
];
/** What the bench consents grant, per record type (required + the optional ones the citizen kept). */
const GRANTED: Record<string, { required: string[]; optional: string[] }> = {
  'resident.registration-abstract': { required: ['address'], optional: ['householdHeadName'] },
  'tax.income-amount-certificate': { required: ['totalIncome', 'attributionYear'], optional: [] },
  'tax.national-payment-certificate': { required: ['hasArrears', 'validUntil'], optional: [] },
};

export interface BenchSecrets {
  subjectPepper: string;
  policyPairwiseKey: string;
  auditLogOrigin: string;
}

export const BENCH_SECRETS: BenchSecrets = {
  subjectPepper: 'bench-only-subject-pepper-0123456789abcdef0123',
  policyPairwiseKey: 'bench-only-policy-pairwise-key-0123456789abcdef',
  auditLogOrigin: 'bench.joint-use-center.localhost/audit/v1',
};

export async function seedBase(
  db: Knex,
  options: { persons: number; keyStoreDir: string; clients: number; log: (line: string) => void },
): Promise<{ catalog: Catalog; clientIds: string[] }> {
  const have = Number((await db('registry_person').count({ n: '*' }).first())?.n ?? 0);
  if (have < options.persons) {
    options.log(`registry: seeding ${options.persons.toLocaleString('en')} persons (have ${have})`);
    let shown = 0;
    const r = await seedRegistry(db, {
      persons: options.persons,
      // A line per tenth: a million persons take minutes, and the log should show they move.
      onProgress: ({ phase, done, total }) => {
        const tenth = Math.floor((done / total) * 10);
        if (tenth <= shown && done < total) return;
        shown = done === total ? 0 : tenth;
        options.log(`registry: ${phase} ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
      },
    });
    options.log(
      `registry: ${r.persons} persons, ${r.corporations} corporations in ${Math.round(r.ms / 1000)} s`,
    );
  }
  const catalog = loadCatalog();
  const organisations = createOrganisationsService({
    repo: createOrganisationsRepo(db),
    recordTypeExists: (id) => catalog.has(id),
  });
  await seedOrganisations(organisations);
  const clientIds: string[] = [];
  for (let i = 1; i <= options.clients; i++) {
    const id = `bench-client-${i}`;
    clientIds.push(id);
    const jwk = publicPart(await demoClientPrivateJwk(id));
    try {
      await organisations.createClient(
        BENCH_ORG,
        { id, name: `Bench client ${i}`, jwks: { keys: [{ ...jwk }] }, dpopRequired: true },
        { id: 'bench' },
      );
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    }
  }
  // Production refuses to generate keys: create every key the gateway will load, here.
  mkdirSync(options.keyStoreDir, { recursive: true });
  const keys = await FileKeyStore.open({ dir: options.keyStoreDir, allowGenerate: true });
  for (const purpose of KEY_PURPOSES) keys.current(purpose);
  await loadProviderSigningKey({ keyStoreDir: options.keyStoreDir, allowGenerate: true });
  return { catalog, clientIds };
}

/** The dev identity provider, run by the bench itself (tokens live an hour). */
export async function startBenchIdp(db: Knex): Promise<DevIdentityProvider> {
  const repo = createOrganisationsRepo(db);
  return startDevIdentityProvider({
    nodeEnv: 'development',
    port: 0,
    clients: {},
    resources: { [DEFAULT_API_RESOURCE]: { scope: DEFAULT_API_SCOPE, accessTokenTtlSec: 3600 } },
    async findApiClient(clientId) {
      const client = await repo.getClient(clientId);
      if (!client || client.status !== 'active') return undefined;
      return {
        clientId: client.id,
        org: client.orgId,
        jwks: client.jwks as never,
        dpopRequired: client.dpopRequired,
      };
    },
  });
}

export interface BenchClient {
  clientId: string;
  accessToken: string;
  /** Private DPoP key (the load generator signs proofs with it). */
  dpopJwk: JWK;
  jkt: string;
}

/** private_key_jwt client credentials at the bench IdP, DPoP-bound, for each client. */
export async function benchClients(idp: DevIdentityProvider, clientIds: string[]): Promise<BenchClient[]> {
  const out: BenchClient[] = [];
  for (const clientId of clientIds) {
    const jwk = await demoClientPrivateJwk(clientId);
    const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
    const config = await oidc.discovery(
      new URL(idp.issuer),
      clientId,
      {},
      oidc.PrivateKeyJwt({ key, kid: jwk.kid! }),
      { execute: [oidc.allowInsecureRequests] },
    );
    const dpopKeys = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
    const tokens = await oidc.clientCredentialsGrant(
      config,
      { scope: 'records:query', resource: DEFAULT_API_RESOURCE },
      { DPoP: oidc.getDPoPHandle(config, dpopKeys) },
    );
    const dpopJwk = await exportJWK(dpopKeys.privateKey);
    const { calculateJwkThumbprint } = await import('jose');
    out.push({
      clientId,
      accessToken: tokens.access_token,
      dpopJwk: { ...dpopJwk, alg: 'ES256' },
      jkt: await calculateJwkThumbprint(await exportJWK(dpopKeys.publicKey)),
    });
  }
  return out;
}

export interface ConsentItem {
  client: number;
  rrn: string;
  consentId: string;
}

/**
 * `count` ACTIVE citizen consents for the purpose's bounds (3 uses), spread over registry persons
 * and bench clients, inserted in bulk. Returns the items the load generator cycles through.
 */
export async function createConsents(
  db: Knex,
  options: {
    count: number;
    recordTypes: string[];
    clients: BenchClient[];
    pepper: string;
    offset: number;
  },
): Promise<{ items: ConsentItem[]; records: ConsentRecord[] }> {
  const persons = (await db('registry_person')
    .where('idx', '>=', 1000)
    .orderBy('idx')
    .limit(50_000)
    .pluck('rrn')) as string[];
  if (persons.length === 0) throw new Error('the registry has no persons to consent for');
  const purpose = (await db('purpose').where({ code: BENCH_PURPOSE }).first()) as {
    legal_basis: string;
    bounds: { maxUses: number };
  };
  const maxUses = (purpose.bounds as { maxUses: number }).maxUses;
  const pepper = new TextEncoder().encode(options.pepper);
  const now = new Date();
  const validFrom = new Date(now.getTime() - 3_600_000);
  const validUntil = new Date(now.getTime() + 30 * 86_400_000);
  const items: ConsentItem[] = [];
  const records: ConsentRecord[] = [];
  for (let i = 0; i < options.count; i++) {
    const rrn = persons[(options.offset + i) % persons.length]!.trim();
    const client = i % options.clients.length;
    const record: ConsentRecord = {
      id: randomUUID(),
      version: 2,
      schemaVersion: '1',
      status: 'ACTIVE',
      statusReason: null,
      mode: 'citizen',
      subjectKey: subjectKey(pepper, canonicaliseIdentifier('rrn', rrn)),
      subjectNamed: true,
      requesterOrg: BENCH_ORG,
      requesterClass: 'bank',
      clientId: options.clients[client]!.clientId,
      clerkId: null,
      purposeCode: BENCH_PURPOSE,
      legalBasis: purpose.legal_basis,
      recordTypes: options.recordTypes,
      fieldsRequested: Object.fromEntries(options.recordTypes.map((rt) => [rt, GRANTED[rt]!])),
      fieldsGranted: Object.fromEntries(
        options.recordTypes.map((rt) => [rt, [...GRANTED[rt]!.required, ...GRANTED[rt]!.optional]]),
      ),
      dataRange: null,
      usage: { fetch: 'limited', maxUses },
      maxUses,
      useCount: 0,
      lastUsedAt: null,
      dataLife: null,
      durationDays: 30,
      validFrom,
      validUntil,
      requestExpiresAt: new Date(now.getTime() + 1_800_000),
      redirectUri: null,
      clientState: null,
      webhookUrl: null,
      shortCode: null,
      collectionMethod: 'web-oidc',
      documentReference: null,
      acr: null,
      amr: null,
      authTime: null,
      language: 'ko',
      jurisdiction: 'KR',
      recHash: '',
      createdAt: now,
      updatedAt: now,
    };
    record.recHash = recordHash(record);
    records.push(record);
    items.push({ client, rrn, consentId: record.id });
  }
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  const rows = records.map((c) => ({
    id: c.id,
    version: c.version,
    schema_version: c.schemaVersion,
    status: c.status,
    mode: c.mode,
    subject_key: c.subjectKey,
    subject_named: c.subjectNamed,
    requester_org: c.requesterOrg,
    requester_class: c.requesterClass,
    client_id: c.clientId,
    purpose_code: c.purposeCode,
    legal_basis: c.legalBasis,
    record_types: c.recordTypes,
    fields_requested: json(c.fieldsRequested),
    fields_granted: json(c.fieldsGranted),
    usage: json(c.usage),
    max_uses: c.maxUses,
    use_count: 0,
    duration_days: c.durationDays,
    valid_from: c.validFrom,
    valid_until: c.validUntil,
    request_expires_at: c.requestExpiresAt,
    collection_method: c.collectionMethod,
    language: c.language,
    jurisdiction: c.jurisdiction,
    rec_hash: c.recHash,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  }));
  await db.batchInsert('consent', rows, 2000);
  return { items, records };
}

/** Consent tokens for the items (valid ≤ 600 s: mint them just before a scenario). */
export async function consentTokens(
  records: ConsentRecord[],
  clients: BenchClient[],
  options: { keyStoreDir: string; publicUrl: string; pepper: string },
): Promise<string[]> {
  const keys = await FileKeyStore.open({ dir: options.keyStoreDir, allowGenerate: false });
  const ctx = {
    keys,
    issuer: options.publicUrl.replace(/\/$/, ''),
    audience: consentTokenAudience(options.publicUrl),
  };
  const pepper = new TextEncoder().encode(options.pepper);
  const now = new Date();
  const byClient = new Map(clients.map((c) => [c.clientId, c]));
  const out: string[] = [];
  for (const record of records) {
    const client = byClient.get(record.clientId!)!;
    const { token } = await issueConsentToken(ctx, {
      record,
      clientId: client.clientId,
      cnfJkt: client.jkt,
      pepper,
      now,
      ttlSeconds: 600,
    });
    out.push(token);
  }
  return out;
}

/** Signed-in citizens whose history was bulk-generated: session cookie tokens. */
export async function citizenSessions(db: Knex, count: number, historyEntries: number, issuer: string) {
  const sessions = createSessionsRepo(db, { idleSec: 3600, absoluteSec: 7200 });
  const subjects = historySubjects(historyEntries);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = Math.floor((i * 7919) % subjects);
    const { token } = await sessions.create(
      { kind: 'citizen', sub: `bench-citizen-${s}`, subjectKey: historySubjectKey(s) },
      issuer,
    );
    tokens.push(token);
  }
  return tokens;
}
