import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog, RecordType } from '../../../server/catalog/catalog.types.js';
import { identifierSchemes } from '../../../server/catalog/identifiers/index.js';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { generateRecord, subjectIdentifier } from '../../../server/dev/registry/generate.js';
import { DEFAULT_SEED, foreignerNumberFor } from '../../../server/dev/registry/generate-subjects.js';
import { seedRegistry } from '../../../server/dev/registry/registry-seed.js';
import {
  startReferenceRegistry,
  type ReferenceRegistry,
} from '../../../server/dev/registry/registry-server.js';
import {
  demoCitizenProfiles,
  registryCorporation,
  registryPerson,
} from '../../../server/dev/registry/registry-subjects.js';
import { ProviderError } from '../../../server/errors.js';
import { createHttpProvider, type HttpProvider } from '../../../server/providers/http-provider.js';
import { GATEWAY_ISSUER } from '../../../server/providers/provider-config.js';
import { createProviderRegistry } from '../../../server/providers/provider-registry.js';
import { generateRequestSigningKey, type RequestSigningKey } from '../../../server/providers/provider-key.js';
import { SubjectNotFoundError } from '../../../server/providers/provider.errors.js';
import { signRequestToken } from '../../../server/providers/request-token.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { onStopAll } from '../../support/resources.js';

const deadline = () => AbortSignal.timeout(5_000);

/** A raw POST to the registry, for the authentication cases the adapter never produces. */
function rawPost(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: { code?: string; detail?: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, url),
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('reference registry over real HTTP', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let catalog: Catalog;
  let key: RequestSigningKey;
  let registry: ReferenceRegistry;
  /** One adapter per holder, as the gateway has: each sends tokens addressed to its holder. */
  const providers = new Map<string, HttpProvider>();
  let provider: HttpProvider;

  before(async () => {
    catalog = loadCatalog();
    database = await freshDatabase();
    const seeded = await seedRegistry(database.db, { persons: 400, corporations: 40 });
    expect(seeded.persons).to.equal(400);
    key = await generateRequestSigningKey();
    registry = await startReferenceRegistry({ db: database.db, catalog, trustedKeys: [key.jwk] });
    onStopAll(() => registry.stop());
    for (const holder of catalog.holders()) {
      const p = createHttpProvider({
        id: holder.id,
        baseUrl: registry.url,
        issuer: GATEWAY_ISSUER,
        catalog,
        signingKey: key,
        timeoutMs: 5_000,
        maxConcurrent: 8,
        maxResponseBytes: 1 << 20,
        breaker: { threshold: 1000, cooldownMs: 1000 },
      });
      providers.set(holder.id, p);
      onStopAll(() => p.close());
    }
    provider = providers.get('mois')!;
  });

  const demo = () => {
    const { idx, profile } = demoCitizenProfiles()[0]!;
    return registryPerson(idx, DEFAULT_SEED, profile);
  };
  const subjectFor = (rt: RecordType) =>
    rt.subjectKind === 'corporation' ? registryCorporation(0, DEFAULT_SEED) : demo();

  it('returns a schema-valid record for a seeded subject of every record type, equal to the generated one', async () => {
    const types = catalog.list();
    expect(types.length).to.be.at.least(80);
    for (const rt of types) {
      const subject = subjectFor(rt);
      const identifier = subjectIdentifier(rt, subject);
      const { record, provenance } = await providers.get(rt.holder.id)!.fetchRecord({
        recordType: rt.id,
        identifier,
        requestId: `req-${rt.id}`,
        purpose: 'test.registry-sweep',
        deadline: deadline(),
      });
      expect(catalog.validator(rt.id)(record), rt.id).to.deep.equal([]);
      expect(record, rt.id).to.deep.equal(generateRecord(rt, subject));
      expect(provenance.holder).to.equal(rt.holder.id);
      expect(provenance.provider).to.equal(rt.holder.id);
      expect(Date.parse(provenance.retrievedAt)).to.be.closeTo(Date.now(), 10_000);
    }
  });

  it('holds every demo citizen of the dev identity provider under their own national ID', async () => {
    const abstract = catalog.get('resident.registration-abstract-individual');
    for (const citizen of DEMO_CITIZENS.filter((c) => c.national_id)) {
      const { record } = await provider.fetchRecord({
        recordType: abstract.id,
        identifier: citizen.national_id!,
        requestId: `demo-${citizen.sub}`,
        deadline: deadline(),
      });
      expect(record.residentRegistrationNumber, citizen.sub).to.equal(citizen.national_id);
      expect(record.name, citizen.sub).to.match(/^[가-힣]{3}$/);
    }
  });

  it('finds seeded synthetic persons, corporations and objects by each identifier scheme', async () => {
    const person = registryPerson(8, DEFAULT_SEED); // a household head: owns the home parcel and a car
    const cases: [string, string][] = [
      ['resident.registration-abstract-individual', person.rrn],
      ['land.ledger', person.address.parcelNumber],
      ['court-register.corporate-register', registryCorporation(7, DEFAULT_SEED).crn],
    ];
    const frnType = catalog.list().find((rt) => rt.identifierScheme === 'frn');
    if (frnType) cases.push([frnType.id, foreignerNumberFor(person)]);
    for (const [recordType, identifier] of cases) {
      const { record } = await providers.get(catalog.get(recordType).holder.id)!.fetchRecord({
        recordType,
        identifier,
        requestId: 'r1',
        deadline: deadline(),
      });
      expect(record, recordType).to.deep.equal(
        generateRecord(
          catalog.get(recordType),
          recordType.startsWith('court') ? registryCorporation(7, DEFAULT_SEED) : person,
        ),
      );
    }
  });

  it('answers only the requested fields', async () => {
    const person = demo();
    const { record } = await provider.fetchRecord({
      recordType: 'resident.registration-abstract-individual',
      identifier: person.rrn,
      fields: ['name', 'address'],
      requestId: 'fields-1',
      deadline: deadline(),
    });
    expect(record).to.deep.equal({ name: person.name, address: person.address.full });
  });

  it('says subject_not_found for a valid identifier it does not hold (not a provider failure)', async () => {
    const unknownRrn = identifierSchemes.rrn.example;
    const err = await provider
      .fetchRecord({
        recordType: 'resident.registration-abstract-individual',
        identifier: unknownRrn,
        requestId: 'nf-1',
        deadline: deadline(),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(SubjectNotFoundError);
    expect((err as SubjectNotFoundError).status).to.equal(404);
    expect(provider.circuitState()).to.equal('closed');
  });

  describe('authentication of the gateway', () => {
    const path = '/v1/records/resident.registration-abstract-individual:fetch';
    const body = () => JSON.stringify({ identifier: demo().rrn });
    const token = (
      k: RequestSigningKey,
      overrides: { body?: string; path?: string; requestId?: string; audience?: string } = {},
    ) =>
      signRequestToken(k, {
        issuer: GATEWAY_ISSUER,
        audience: overrides.audience ?? 'urn:juc:provider:mois',
        method: 'POST',
        path: overrides.path ?? path,
        body: overrides.body ?? body(),
        requestId: overrides.requestId ?? 'auth-1',
      });

    it('accepts a well-bound token once and refuses its replay', async () => {
      const t = await token(key);
      const first = await rawPost(registry.url, path, body(), {
        authorization: `Bearer ${t}`,
        'x-request-id': 'auth-1',
      });
      expect(first.status).to.equal(200);
      const replay = await rawPost(registry.url, path, body(), {
        authorization: `Bearer ${t}`,
        'x-request-id': 'auth-1',
      });
      expect(replay.status).to.equal(401);
      expect(replay.body.detail).to.match(/already used/);
    });

    it('refuses no token, an untrusted key, another audience, another body, another path and another request id', async () => {
      const stranger = await generateRequestSigningKey();
      const other = JSON.stringify({ identifier: registryPerson(12, DEFAULT_SEED).rrn });
      const cases: [string, Record<string, string>, string][] = [
        ['none', { 'x-request-id': 'auth-1' }, body()],
        ['untrusted', { authorization: `Bearer ${await token(stranger)}`, 'x-request-id': 'auth-1' }, body()],
        [
          'audience',
          {
            authorization: `Bearer ${await token(key, { audience: 'urn:juc:provider:other' })}`,
            'x-request-id': 'auth-1',
          },
          body(),
        ],
        ['body swap', { authorization: `Bearer ${await token(key)}`, 'x-request-id': 'auth-1' }, other],
        [
          'path',
          {
            authorization: `Bearer ${await token(key, { path: '/v1/records/land.ledger:fetch' })}`,
            'x-request-id': 'auth-1',
          },
          body(),
        ],
        ['request id', { authorization: `Bearer ${await token(key)}`, 'x-request-id': 'auth-2' }, body()],
      ];
      for (const [name, headers, payload] of cases) {
        const res = await rawPost(registry.url, path, payload, headers);
        expect(res.status, name).to.equal(401);
        expect(res.body.code, name).to.equal('unauthenticated');
        expect(JSON.stringify(res.body), name).not.to.contain(demo().rrn);
      }
    });

    it('refuses identifiers that are not canonical, even when properly signed', async () => {
      const payload = JSON.stringify({ identifier: `${demo().rrn.slice(0, 6)}-${demo().rrn.slice(6)}` });
      const res = await rawPost(registry.url, path, payload, {
        authorization: `Bearer ${await token(key, { body: payload, requestId: 'auth-3' })}`,
        'x-request-id': 'auth-3',
      });
      expect(res.status).to.equal(400);
      expect(res.body.code).to.equal('identifier_invalid');
    });
  });

  it('rejects a caller-supplied non-canonical identifier before any request leaves the gateway', async () => {
    const registryOfProviders = createProviderRegistry({ catalog, providers: [...providers.values()] });
    const err = await registryOfProviders
      .fetchRecord({
        recordType: 'resident.registration-abstract-individual',
        identifier: '850314-1234562',
        requestId: 'x',
        deadline: deadline(),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as { code?: string }).code).to.equal('identifier_invalid');
    const none = createProviderRegistry({ catalog, providers: [] });
    const missing = await none
      .fetchRecord({
        recordType: 'land.ledger',
        identifier: demo().address.parcelNumber,
        requestId: 'x',
        deadline: deadline(),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(missing).to.be.instanceOf(ProviderError);
  });
});
