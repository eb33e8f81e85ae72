/**
 * The organisations service as the hot path sees it (issue 18): the client and its organisation
 * (every API request) and the organisation's entitlement to a purpose (every query) come from the
 * per-process state cache (server/db/state-cache.ts), which PostgreSQL empties whenever a client,
 * organisation, purpose or entitlement changes. Every other call passes through; one that may
 * write (anything not a known read) also empties this process's cache when it returns, so its own
 * next request never waits on the notification. Consent state is never cached: a revocation must
 * stop the next call.
 */
import type { StateCache } from '../db/state-cache.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';

/** Calls that only read: passed through without emptying the cache. */
const READS = new Set([
  'listOrganisations',
  'getOrganisation',
  'listPurposes',
  'getPurpose',
  'allPurposes',
  'entitlements',
  'listClients',
  'getClient',
  'activeClients',
  'listClerks',
  'activeClerk',
]);

export function withAccessCache(service: OrganisationsService, cache: StateCache): OrganisationsService {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(service)) {
    if (typeof value !== 'function' || READS.has(name)) {
      wrapped[name] = value;
      continue;
    }
    const call = value as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await call(...args);
      } finally {
        cache.invalidate();
      }
    };
  }
  const cached: Pick<OrganisationsService, 'activeClient' | 'assertEntitled'> = {
    activeClient: (clientId) => cache.get(`client\u0000${clientId}`, () => service.activeClient(clientId)),
    assertEntitled: (orgId, purposeCode, clientId) =>
      cache.get(`entitled\u0000${orgId}\u0000${purposeCode}\u0000${clientId ?? ''}`, () =>
        service.assertEntitled(orgId, purposeCode, clientId),
      ),
  };
  return { ...(wrapped as OrganisationsService), ...cached };
}
