/**
 * The clerk cancels a consent request the citizen has not answered (issue 20, problem 2). The consents module
 * has no requester-side withdrawal, and its service file is being split by another engineer, so this builds it
 * on the module's public pieces only: the read use case (`getRequest`, which also checks that the request is
 * this agency's and a clerk's, and expires it lazily) and the repository's locked read, versioned write and event
 * log, exactly as the service's own transitions write them. The request becomes EXPIRED (a state the citizen's
 * approval screen and every check already treat as final) with the withdrawal as its reason and the clerk as the
 * event's actor. Counter requests have no webhook (only API clients register one), so none is queued.
 * An already decided request is left as it is; the caller shows its state.
 */
import type { ClerkPrincipal } from '../auth/principal.js';
import { recordHash } from '../consents/consent-token.js';
import type { ConsentsRepo } from '../consents/consents.repo.js';
import type { ConsentsService } from '../consents/consents.service.js';
import type { ConsentRecord, ConsentRequestView } from '../consents/consents.types.js';
import { WITHDRAWN_REASON } from './views/waiting.view.js';

export interface RequestWithdrawalDeps {
  consents: Pick<ConsentsService, 'getRequest'>;
  repo: Pick<ConsentsRepo, 'transaction' | 'getForUpdate' | 'replace' | 'insertEvent'>;
  now?: () => Date;
}

export function createRequestWithdrawal(deps: RequestWithdrawalDeps) {
  const now = deps.now ?? (() => new Date());
  return async function withdraw(clerk: ClerkPrincipal, id: string): Promise<ConsentRequestView> {
    // 404 for a request of another agency or of an API client; a request past its time becomes EXPIRED here.
    const before = await deps.consents.getRequest(clerk, id);
    if (before.status !== 'REQUESTED') return before;
    const at = now();
    await deps.repo.transaction(async (trx) => {
      const locked = await deps.repo.getForUpdate(id, trx);
      if (!locked || locked.status !== 'REQUESTED') return;
      const next: ConsentRecord = {
        ...locked,
        status: 'EXPIRED',
        statusReason: WITHDRAWN_REASON,
        version: locked.version + 1,
        updatedAt: at,
      };
      next.recHash = recordHash(next);
      await deps.repo.replace(next, trx);
      await deps.repo.insertEvent(
        {
          consentId: next.id,
          version: next.version,
          at,
          type: 'expired',
          state: 'EXPIRED',
          actor: `clerk:${clerk.clerkId}`,
          reason: WITHDRAWN_REASON,
          detail: { withdrawnBy: 'requester' },
        },
        trx,
      );
    });
    return deps.consents.getRequest(clerk, id);
  };
}

export type RequestWithdrawal = ReturnType<typeof createRequestWithdrawal>;
