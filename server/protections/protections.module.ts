/**
 * Protection orders and representatives (issue 22), wired once: consents and queries consult the
 * orders, a representative's grant is refused while an order bars that person, and both have API routes.
 */
import type { Knex } from 'knex';
import type { Router } from 'express';
import { NotFoundError } from '../errors.js';
import type { AuditEntryInput } from '../audit/audit.types.js';
import { createRepresentativesRepo } from '../representatives/representatives.repo.js';
import { representativesRouter } from '../representatives/representatives.routes.js';
import { createRepresentativesService } from '../representatives/representatives.service.js';
import { createProtectionsRepo } from './protections.repo.js';
import { protectionsRouter } from './protections.routes.js';
import { createProtectionsService } from './protections.service.js';

export function createProtectionsModule(deps: {
  db: Knex;
  /** SUBJECT_PEPPER as configured, and as UTF-8 bytes. */
  subjectPepper: string;
  pepper: Uint8Array;
  getOrganisation(orgId: string): Promise<unknown>;
  recordTypeExists(id: string): boolean;
  audit: { appendMany(entries: AuditEntryInput[]): Promise<unknown> };
  now?: () => Date;
}) {
  const clock = deps.now ? { now: deps.now } : {};
  const protectionsRepo = createProtectionsRepo(deps.db);
  const protections = createProtectionsService({
    repo: protectionsRepo,
    pepper: deps.subjectPepper,
    organisationExists: (id) =>
      deps.getOrganisation(id).then(
        () => true,
        (err: unknown) => (err instanceof NotFoundError ? false : Promise.reject(err)),
      ),
    audit: deps.audit,
    ...clock,
  });
  const representatives = createRepresentativesService({
    repo: createRepresentativesRepo(deps.db),
    pepper: deps.pepper,
    recordTypeExists: deps.recordTypeExists,
    personBarred: (subject, person) => protectionsRepo.bars(subject, { personKey: person }),
    ...clock,
  });
  const routers: Router[] = [protectionsRouter(protections), representativesRouter(representatives)];
  return { protections, representatives, routers };
}
