/**
 * HTTP only: `GET /v1/policy/explain` — public, so citizens and requesters read the same rules
 * (DESIGN §8). It says what the policy alone allows for each field; consent and the request can
 * only narrow that further.
 */
import { Router } from 'express';
import { ValidationError } from '../errors.js';
import type { RequesterQuery } from './policy.match.js';
import type { PolicyService } from './policy.service.js';
import { requesterClasses, type RequesterClass } from './policy.types.js';

export interface PolicyRouterDeps {
  /** Resolves a purpose code in the purpose registry; throws NotFoundError (404) when unknown. */
  purpose(code: string): Promise<{ readonly bounds: { readonly maxDataRangeDays: number } }>;
  /** The class of a registered organisation; throws NotFoundError (404) when unknown. */
  organisationClass(orgId: string): Promise<RequesterClass>;
}

const one = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function isRequesterClass(value: string): value is RequesterClass {
  return (requesterClasses as readonly string[]).includes(value);
}

export function policyRouter(policy: PolicyService, deps: PolicyRouterDeps): Router {
  const router = Router();
  router.get('/v1/policy/explain', async (req, res) => {
    // The contract validator has checked presence and shape; these checks need the registry.
    const purpose = one(req.query.purpose) ?? '';
    const recordType = one(req.query.recordType) ?? '';
    const orgId = one(req.query.org);
    const givenClass = one(req.query.class);
    if (givenClass === undefined && orgId === undefined) {
      throw new ValidationError('Give a requester class, an organisation, or both.', [
        { pointer: '/query/class', message: 'class or org is required' },
      ]);
    }
    if (givenClass !== undefined && !isRequesterClass(givenClass)) {
      throw new ValidationError(`Unknown requester class "${givenClass}".`, [
        { pointer: '/query/class', message: `must be one of ${requesterClasses.join(', ')}` },
      ]);
    }
    const orgClass = orgId === undefined ? undefined : await deps.organisationClass(orgId);
    if (givenClass !== undefined && orgClass !== undefined && givenClass !== orgClass) {
      throw new ValidationError(`Organisation ${orgId} is of class ${orgClass}, not ${givenClass}.`, [
        { pointer: '/query/class', message: `does not match the class of ${orgId}` },
      ]);
    }
    const { bounds } = await deps.purpose(purpose);
    const requesterClass = (orgClass ?? givenClass) as RequesterClass;
    const requester: RequesterQuery = { class: requesterClass, ...(orgId ? { orgId } : {}) };
    res.json(policy.explain({ requester, purpose, recordType, maxDataRangeDays: bounds.maxDataRangeDays }));
  });
  return router;
}
