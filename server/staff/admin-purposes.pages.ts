/**
 * The administrator console's purposes and policies (HTTP only; views in ./views/purposes.views.ts):
 *   GET  /admin/purposes  POST /admin/purposes  POST /admin/purposes/:code/retire
 *   GET  /admin/policies  the loaded policy files and versions (read-only)
 * A new purpose or a retirement goes through the same audited use case as the JSON admin API, after the form is
 * checked against that operation's request schema in openapi/gateway.yaml.
 */
import type { Response, Router } from 'express';
import type { Catalog } from '../catalog/catalog.types.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Purpose } from '../organisations/organisations.types.js';
import type { PolicyService } from '../policy/policy.service.js';
import { int, list, param, type AdminRoutes, type Failure } from './admin-forms.js';
import { checkContract } from './contract.js';
import { loadDirectory } from './directory.js';
import { send, str, type Staff } from './staff-http.js';
import type { Typed } from './views/admin.views.js';
import { policiesPage, purposesPage } from './views/purposes.views.js';

export interface PurposePagesDeps {
  organisations: OrganisationsService;
  catalog: Pick<Catalog, 'list' | 'has' | 'get'>;
  policy: Pick<PolicyService, 'policySet' | 'summary'>;
}

export function purposePages(router: Router, routes: AdminRoutes, deps: PurposePagesDeps): void {
  const { organisations: service } = deps;
  const { admin, change, actorOf } = routes;

  async function showPurposes(
    res: Response,
    staff: Staff,
    extra: { done?: string; error?: Failure; typed?: Typed; records?: string[] } = {},
  ) {
    const directory = await loadDirectory(deps);
    const { recordTypes } = directory.options(staff.lang);
    send(
      res,
      extra.error?.status ?? 200,
      purposesPage({
        viewer: staff.viewer,
        purposes: directory.purposes,
        recordTypes,
        recordName: directory.names(staff.lang).record,
        done: extra.done,
        error: extra.error,
        typed: extra.typed ?? {},
        typedRecords: new Set(extra.records ?? []),
      }),
    );
  }

  router.get('/admin/purposes', async (req, res) => {
    const staff = admin(req, res);
    if (staff) await showPurposes(res, staff, { done: routes.done(req) });
  });

  change(
    '/admin/purposes',
    async (req, staff, b) => {
      const input = {
        code: str(b.code),
        names: { ko: str(b.nameKo), en: str(b.nameEn), ja: str(b.nameJa) },
        legalBasis: str(b.legalBasis),
        consentBasis: str(b.consentBasis),
        recordTypes: list(b.recordTypes),
        bounds: {
          maxConsentDays: int(b.maxConsentDays),
          maxUses: int(b.maxUses),
          maxDataRangeDays: int(b.maxDataRangeDays),
        },
        procedure: b.procedure === 'yes',
      };
      checkContract('/v1/admin/purposes', 'post', input);
      await service.createPurpose(input as Omit<Purpose, 'status'>, actorOf(req, staff));
      return { back: '/admin/purposes', done: 'purpose' };
    },
    (req, res, staff, error, typed) =>
      showPurposes(res, staff, { error, typed, records: list(req.body.recordTypes) }),
  );

  change(
    '/admin/purposes/:code/retire',
    async (req, staff, b) => {
      const input = { reason: str(b.reason) };
      checkContract('/v1/admin/purposes/{code}/retire', 'post', input);
      await service.retirePurpose(param(req, 'code'), input.reason, actorOf(req, staff));
      return { back: '/admin/purposes', done: 'retired' };
    },
    (_req, res, staff, error, typed) => showPurposes(res, staff, { error, typed }),
  );

  router.get('/admin/policies', (req, res) => {
    const staff = admin(req, res);
    if (!staff) return;
    send(
      res,
      200,
      policiesPage({
        viewer: staff.viewer,
        files: deps.policy.policySet.files,
        summary: deps.policy.summary(),
      }),
    );
  });
}
