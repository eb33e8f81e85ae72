/**
 * Citizen consent: requests, the citizen's decision, the authoritative versioned record and its lifecycle,
 * consent tokens, counter modes, and the verification every query runs. No Express, no knex.
 *
 * One module per use case under use-cases/, each a function `(ctx, input) → result` over the ports in
 * ConsentsDeps: request (request.ts, request-checks.ts), decide (decide.ts), counter modes (counter.ts),
 * issue token (issue-token.ts), authorize use (authorize-use.ts, use-checks.ts: what the query gateway
 * runs, documented there), lifecycle (lifecycle.ts); records.ts holds the versioned record's moves they
 * share, views.ts what requesters and citizens see. This file binds them to one context.
 *
 * Redirect URIs: a client with URIs in api_client_redirect_uri must use one of them exactly; a client with
 * none may use any https URI, or loopback http outside production (dev convenience; production refuses).
 */
import type { CitizenPrincipal } from '../auth/principal.js';
import type { ConsentRecord } from './consents.types.js';
import {
  authorizeUse,
  useGuard,
  type AuthorizeUseInput,
  type ConsentGrant,
} from './use-cases/authorize-use.js';
import { createConsentsContext, type ConsentsDeps } from './use-cases/context.js';
import { recordAttestedConsent, recordStatutoryBasis } from './use-cases/counter.js';
import { decide } from './use-cases/decide.js';
import { issueToken } from './use-cases/issue-token.js';
import { expireDue, getMine, listMine, pause, resume, revoke } from './use-cases/lifecycle.js';
import { representationIn } from './use-cases/records.js';
import { createRequest, findByShortCode, forApproval, getRequest } from './use-cases/request.js';

export type { AuthorizeUseInput, ConsentGrant, ConsentsDeps };
export { consentTokenAudience } from './use-cases/context.js';
export { newShortCode } from './use-cases/request.js';

type Rest<F> = F extends (ctx: never, ...rest: infer R) => infer Out ? (...rest: R) => Out : never;

export function createConsentsService(deps: ConsentsDeps) {
  const ctx = createConsentsContext(deps);
  const bind = <F extends (c: typeof ctx, ...rest: never[]) => unknown>(useCase: F): Rest<F> =>
    ((...rest: never[]) => useCase(ctx, ...rest)) as Rest<F>;
  return {
    createRequest: bind(createRequest),
    getRequest: bind(getRequest),
    forApproval: bind(forApproval),
    /** The grant under which this citizen decides a request about someone else, if any. */
    representationFor: (citizen: CitizenPrincipal, record: ConsentRecord) =>
      representationIn(ctx, citizen, record, ctx.clock()),
    findByShortCode: bind(findByShortCode),
    decide: bind(decide),
    issueToken: bind(issueToken),
    authorizeUse: bind(authorizeUse),
    useGuard: bind(useGuard),
    recordAttestedConsent: bind(recordAttestedConsent),
    recordStatutoryBasis: bind(recordStatutoryBasis),
    listMine: bind(listMine),
    getMine: bind(getMine),
    pause: bind(pause),
    resume: bind(resume),
    revoke: bind(revoke),
    expireDue: bind(expireDue),
    events: (id: string) => deps.repo.events(id),
    get: (id: string) => deps.repo.get(id),
    /** Registers an exact redirect URI for a client (operators; tests). */
    registerRedirectUri: (clientId: string, uri: string) => deps.repo.addRedirectUri(clientId, uri),
    tokenContext: ctx.tokenCtx,
  };
}

export type ConsentsService = ReturnType<typeof createConsentsService>;
