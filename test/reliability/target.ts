/**
 * The reliability checks' Target over the test app: the real composition on a loopback port with
 * the dev identity provider, the reference registry, signed-in people and bank clients (the fuzz
 * suite's callers), so `npm test` runs the quick checks through the same code as `npm run reliability`.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { accessTokenHash } from '../../server/auth/dpop.js';
import { consentRequest } from '../../reliability/http.js';
import type { Consented, DpopMaterial, Target } from '../../reliability/types.js';
import { signInCallers } from '../api/fuzz/callers.js';
import { csrfFrom } from '../api/consents/consent-fixtures.js';
import { bankClient, startTestGateway } from '../support/oidc.js';
import { startTestRegistry } from '../support/registry.js';
import { onStopAll } from '../support/resources.js';

export const QUICK_ENV = {
  QUERY_RATE_LIMIT_PER_MINUTE: '150',
  CONSENT_REQUESTS_PER_MINUTE: '1000',
  CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: '1000',
  DB_STATEMENT_TIMEOUT_MS: '2000',
  // Production's rule: webhooks reach public addresses only (A9 checks no connection is made).
  WEBHOOK_ALLOW_PRIVATE: 'false',
};

async function proofFor(
  keys: CryptoKeyPair,
  jwk: JWK,
  token: string,
  method: string,
  url: string,
  jti: string = randomUUID(),
) {
  const u = new URL(url);
  return new SignJWT({
    jti,
    htm: method,
    htu: `${u.origin}${u.pathname}`,
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(token),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .sign(keys.privateKey);
}

export async function testTarget(): Promise<Target> {
  const gateway = await startTestGateway({ env: QUICK_ENV, registry: (db) => startTestRegistry(db, 50) });
  const callers = await signInCallers(gateway);
  // The background tasks a deployment runs that the checks need: the log's (I2–I4 need leaves and
  // checkpoints) and the consent webhook sender (A9 watches it refuse internal addresses).
  const wanted = ['audit-sequencer', 'audit-checkpointer', 'consent-webhooks'];
  const tasks = gateway.composition.background.filter((t) => wanted.includes(t.name));
  for (const task of tasks) task.start();
  onStopAll(async () => {
    for (const task of tasks) await task.stop();
  });
  const bank = await bankClient(gateway, 'bank-hanbit-app');
  const other = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const otherJwk = await exportJWK(other.publicKey);

  const dpop = async (): Promise<DpopMaterial> => {
    const accessToken = await bank.token(true);
    return {
      accessToken,
      proof: (method, url, jti) => proofFor(bank.dpopKeys, bank.dpopJwk, accessToken, method, url, jti),
      foreignProof: (method, url) => proofFor(other, otherJwk, accessToken, method, url),
    };
  };

  const approve = async (id: string) => {
    const citizen = callers.browser('citizen');
    const page = await citizen.fetch(`/consent/${id}`);
    const form = new URLSearchParams({ _csrf: csrfFrom(await page.text()), decision: 'approve', lang: 'en' });
    const decided = await citizen.fetch(`/consent/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (decided.status !== 303 && decided.status !== 200) throw new Error(`approval: ${decided.status}`);
  };

  const consented = async (): Promise<Consented> => {
    const recordType = 'resident.registration-abstract';
    const granted = ['address', 'householdHeadName'];
    const created = await callers.send('client-dpop', {
      method: 'POST',
      target: '/v1/consent-requests',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(consentRequest(callers.citizenId)),
    });
    const { id } = (await created.json()) as { id: string };
    if (created.status !== 201) throw new Error(`consent request: ${created.status}`);
    await approve(id);
    const issued = await callers.send('client-dpop', {
      method: 'POST',
      target: `/v1/consents/${id}/token`,
      headers: {},
    });
    const { token } = (await issued.json()) as { token: string };
    if (issued.status !== 200) throw new Error(`consent token: ${issued.status}`);
    return {
      rrn: callers.citizenId,
      token,
      consentId: id,
      purpose: 'loan.mortgage-screening',
      recordType,
      granted,
    };
  };

  return {
    name: 'test-app',
    url: gateway.url,
    db: gateway.database.db,
    dbUrl: gateway.database.url,
    callers: [
      'anonymous',
      'citizen',
      'clerk',
      'client-dpop',
      'client-bearer',
      'client-read-only',
      'auditor',
      'admin',
    ],
    send: (caller, request) => callers.send(caller, { headers: {}, ...request }),
    dpop,
    consented,
    approve,
    citizenId: callers.citizenId,
    logs: () => gateway.logs.lines,
    gatewayPids: () => [],
    inProcess: true,
    released: [],
    bodyLimitBytes: gateway.config.bodyLimitBytes,
    queryRateLimitPerMinute: Number(QUICK_ENV.QUERY_RATE_LIMIT_PER_MINUTE),
    // The test app runs on its test database's pool, opened with QUICK_ENV's statement timeout.
    statementTimeoutMs: Number(QUICK_ENV.DB_STATEMENT_TIMEOUT_MS),
  };
}
