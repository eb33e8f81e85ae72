/** Builds the auditor and administrator consoles (server-rendered pages) for the composition root. */
import type { Router } from 'express';
import type { Knex } from 'knex';
import { createAuditorRepo } from '../audit/auditor.repo.js';
import type { AuditorService } from '../audit/auditor.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { PolicyService } from '../policy/policy.service.js';
import { adminPages } from './admin.pages.js';
import { createAuditReviewService } from './audit-review.service.js';
import { auditorPages } from './auditor.pages.js';
import { createCasesRepo } from './cases.repo.js';
import { createRedirectsRepo } from './redirects.repo.js';

export function createStaffPages(deps: {
  db: Knex;
  auditor: AuditorService;
  organisations: OrganisationsService;
  catalog: Catalog;
  policy: PolicyService;
  csrf: CsrfGuard;
  now?: () => Date;
}): Router[] {
  const reads = createAuditorRepo(deps.db);
  const review = createAuditReviewService({
    auditor: deps.auditor,
    cases: createCasesRepo(deps.db),
    record: (read) => reads.recordRead(read),
  });
  return [
    auditorPages({
      review,
      organisations: deps.organisations,
      catalog: deps.catalog,
      csrf: deps.csrf,
      ...(deps.now ? { now: deps.now } : {}),
    }),
    adminPages({
      organisations: deps.organisations,
      catalog: deps.catalog,
      policy: deps.policy,
      redirects: createRedirectsRepo(deps.db),
      csrf: deps.csrf,
    }),
  ];
}
