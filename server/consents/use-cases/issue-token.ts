/** POST /v1/consents/{id}/token: a consent token for the requesting client while the record is ACTIVE. */
import type { ClientPrincipal } from '../../auth/principal.js';
import { NotFoundError } from '../../errors.js';
import { issueConsentToken } from '../consent-token.js';
import type { IssuedConsentToken } from '../consents.types.js';
import { statusError, type ConsentsContext } from './context.js';
import { fresh } from './records.js';

/** POST /v1/consents/{id}/token: only the requesting client, only while ACTIVE; re-issuable. */
export async function issueToken(
  ctx: ConsentsContext,
  client: ClientPrincipal,
  id: string,
): Promise<IssuedConsentToken> {
  const now = ctx.clock();
  const existing = await ctx.repo.get(id);
  if (!existing || existing.clientId !== client.clientId || existing.requesterOrg !== client.orgId) {
    throw new NotFoundError('No such consent.');
  }
  const record = await fresh(ctx, existing, now);
  if (record.status !== 'ACTIVE') throw statusError(record);
  const { token, claims } = await issueConsentToken(ctx.tokenCtx, {
    record,
    clientId: client.clientId,
    cnfJkt: client.cnfJkt,
    pepper: ctx.deps.pepper,
    now,
    ttlSeconds: ctx.deps.tokenTtlSeconds,
  });
  return {
    token,
    tokenType: 'consent+jwt',
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    consentId: record.id,
    version: record.version,
  };
}
