/**
 * Real objects for the fuzzer to aim at, made through the API as a bank and a citizen would: consent
 * requests from the DPoP bank client for the signed-in citizen, some approved on the citizen's
 * approval screen, and audit entries from refused queries. Path parameters then name things that
 * exist, so malformed bodies and headers reach the handlers' writes and not only their 404s.
 */
import type { Knex } from 'knex';
import { csrfFrom, mortgageRequest } from '../consents/consent-fixtures.js';
import type { Callers } from './callers.js';

export interface World {
  /** Consent (request) ids: the first ones approved, the rest pending. */
  consentIds: string[];
  /** Audit entry ids written by refused queries of the DPoP bank client. */
  entryIds: string[];
}

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function buildWorld(
  callers: Callers,
  db: Knex,
  counts = { approved: 3, pending: 2 },
): Promise<World> {
  const consentIds: string[] = [];
  for (let i = 0; i < counts.approved + counts.pending; i++) {
    const created = await callers.send('client-dpop', {
      method: 'POST',
      target: '/v1/consent-requests',
      ...json(mortgageRequest({ subject: { scheme: 'rrn', id: callers.citizenId } })),
    });
    const body = (await created.json()) as { id?: string };
    if (created.status !== 201 || !body.id)
      throw new Error(`consent request: ${created.status} ${JSON.stringify(body)}`);
    consentIds.push(body.id);
  }
  const citizen = callers.browser('citizen');
  for (const id of consentIds.slice(0, counts.approved)) {
    const page = await citizen.fetch(`/consent/${id}`);
    if (page.status !== 200) throw new Error(`approval screen: ${page.status}`);
    const form = new URLSearchParams({ _csrf: csrfFrom(await page.text()), decision: 'approve', lang: 'en' });
    const decided = await citizen.fetch(`/consent/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (decided.status !== 303 && decided.status !== 200) throw new Error(`approval: ${decided.status}`);
  }

  const entryIds: string[] = [];
  for (const purpose of ['welfare.housing-benefit', 'passport.issue']) {
    const refused = await callers.send('client-dpop', {
      method: 'POST',
      target: '/v1/queries',
      ...json({
        purpose,
        subject: { scheme: 'rrn', id: callers.citizenId },
        mode: 'full',
        records: [{ recordType: 'resident.registration-abstract' }],
      }),
    });
    const body = (await refused.json()) as { requestId?: string };
    if (refused.status !== 403 || !body.requestId) throw new Error(`refused query: ${refused.status}`);
    const rows: { entry_id: string }[] = await db('audit_entry')
      .where({ request_id: body.requestId })
      .select('entry_id');
    entryIds.push(...rows.map((r) => String(r.entry_id)));
  }
  return { consentIds, entryIds };
}
