// Shared set-up for the consent tests: demo organisations, an API client per bank, citizens as principals.
import request from 'supertest';
import { citizenSubjectKey } from '../../../server/auth/subject.js';
import type { CitizenPrincipal, ClerkPrincipal, ClientPrincipal } from '../../../server/auth/principal.js';
import { seedOrganisations } from '../../../server/organisations/seed.js';
import type { RequestHandler } from 'express';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';

export const EC_KEY = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'k1',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

export const HANBIT: ClientPrincipal = {
  kind: 'client',
  clientId: 'test-hanbit-app',
  orgId: 'org-bank-hanbit',
  scope: ['records:query', 'consents:request', 'consents:read'],
};
export const GAON: ClientPrincipal = {
  kind: 'client',
  clientId: 'test-gaon-app',
  orgId: 'org-bank-gaon',
  scope: ['records:query', 'consents:request', 'consents:read'],
};
export const CLERK: ClerkPrincipal = {
  kind: 'clerk',
  sub: 'clerk-jongno',
  clerkId: 'clerk-test-jongno',
  orgId: 'org-seoul-jongno',
};

export const MINJUN_ID = '8503141234562';
export const SEOYEON_ID = '9207212345676';

export function citizen(t: TestApp, nationalId: string, sub: string): CitizenPrincipal {
  return {
    kind: 'citizen',
    sub,
    subjectKey: citizenSubjectKey(t.config.subjectPepper, nationalId),
    acr: 'urn:juc:acr:dev',
    amr: ['pwd'],
    authTime: 1_760_000_000,
    sessionId: `session-${sub}`,
  };
}

export async function seedConsentWorld(t: TestApp): Promise<void> {
  const orgs = t.composition.services.organisations;
  await seedOrganisations(orgs);
  for (const p of [HANBIT, GAON]) {
    try {
      await orgs.createClient(
        p.orgId,
        { id: p.clientId, name: p.clientId, jwks: { keys: [EC_KEY] }, dpopRequired: false },
        { id: 'test' },
      );
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    }
  }
}

/** A mortgage-screening request from Hanbit Bank: two record types, one optional field each. */
export function mortgageRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: { scheme: 'rrn', id: MINJUN_ID },
    purpose: 'loan.mortgage-screening',
    records: [
      {
        recordType: 'resident.registration-abstract',
        fields: { required: ['householdHeadName', 'address'], optional: ['members'] },
      },
      {
        recordType: 'tax.income-amount-certificate',
        fields: { required: ['taxpayerName', 'totalIncome'], optional: ['attributionYear'] },
      },
    ],
    durationDays: 30,
    usage: { fetch: 'limited', maxUses: 3 },
    dataRange: { from: '2025-01-01', to: '2025-12-31' },
    dataLife: { unit: 'day', value: 90 },
    ...overrides,
  };
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

/** Opens the approval screen as the citizen and submits a decision (keeping the listed optional fields). */
export async function decideOnScreen(
  t: TestApp,
  id: string,
  who: CitizenPrincipal,
  decision: 'approve' | 'refuse',
  keep: string[],
) {
  const page = await request(t.app)
    .get(`/consent/${id}`)
    .set(...asPrincipal(who));
  if (page.status !== 200) return page;
  const form = new URLSearchParams({ _csrf: csrfFrom(page.text), decision, lang: 'en' });
  for (const k of keep) form.append('keep', k);
  return request(t.app)
    .post(`/consent/${id}`)
    .set(...asPrincipal(who))
    .type('form')
    .send(form.toString());
}

/** The real composition for query tests: a fresh database, the reference registry over HTTP, the consent world. */
export async function queryWorld(authenticate: RequestHandler = principalFromTestHeader): Promise<TestApp> {
  const database = await freshDatabase();
  const registry = await startTestRegistry(database);
  const t = await buildTestApp({ database, registry, authenticate });
  await seedConsentWorld(t);
  return t;
}

/** Hanbit's request, approved by Minjun on the approval screen (keeping `keep`), and its consent token. */
export async function approvedConsent(
  t: TestApp,
  body: Record<string, unknown>,
  keep: string[] = [],
): Promise<{ id: string; token: string }> {
  const created = await request(t.app)
    .post('/v1/consent-requests')
    .set(...asPrincipal(HANBIT))
    .send(mortgageRequest(body));
  if (created.status !== 201)
    throw new Error(`consent request: ${created.status} ${JSON.stringify(created.body)}`);
  const decided = await decideOnScreen(
    t,
    created.body.id,
    citizen(t, MINJUN_ID, 'citizen-minjun'),
    'approve',
    keep,
  );
  if (decided.status !== 200 && decided.status !== 303) throw new Error(`approval: ${decided.status}`);
  const token = await request(t.app)
    .post(`/v1/consents/${created.body.id}/token`)
    .set(...asPrincipal(HANBIT));
  if (token.status !== 200) throw new Error(`consent token: ${token.status} ${JSON.stringify(token.body)}`);
  return { id: created.body.id as string, token: token.body.token as string };
}
