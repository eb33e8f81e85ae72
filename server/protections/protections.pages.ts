/**
 * The portal's protections page (/portal/protections): the citizen's protection orders and the
 * representative grants about them, with forms to apply for an order, delegate, withdraw and revoke.
 * HTML over the same use cases as the API; every POST carries the session's CSRF token.
 */
import { Router, type Request, type Response } from 'express';
import { CSRF_FIELD } from '../auth/csrf.js';
import { principalOf, type CitizenPrincipal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { CsrfGuard } from '../consents/consent.pages.js';
import { AppError } from '../errors.js';
import type { RepresentativesService } from '../representatives/representatives.service.js';
import type { GrantView } from '../representatives/representatives.types.js';
import { html, type SafeHtml } from '../web/html.js';
import { chooseLang, formatDate, langOf, t, type Lang } from '../web/i18n.js';
import { layout } from '../web/layout.js';
import type { ProtectionsService } from './protections.service.js';
import type { PartyKind, ProtectionOrderView } from './protections.types.js';
import './protections-ko.messages.js';
import './protection.messages.js';

export interface ProtectionPagesDeps {
  protections: ProtectionsService;
  representatives: RepresentativesService;
  catalog: Pick<Catalog, 'list'>;
  csrf: CsrfGuard;
  now?: () => Date;
}

const SCOPE = 'portal-protections';
const PATH = '/portal/protections';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KINDS: PartyKind[] = ['person', 'organisation', 'clerk'];
const DAY_MS = 86_400_000;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

export function protectionPages(deps: ProtectionPagesDeps): Router {
  const router = Router();
  const clock = deps.now ?? (() => new Date());
  const personTypes = () => deps.catalog.list().filter((rt) => rt.subjectKind === 'person');

  const hidden = (res: Response, lang: Lang) =>
    html`<input type="hidden" name="${CSRF_FIELD}" value="${deps.csrf.token(res, SCOPE)}" />
      <input type="hidden" name="lang" value="${lang}" />`;

  const button = (res: Response, lang: Lang, action: string, label: string) =>
    html`<form method="post" action="${action}" class="inline">
      ${hidden(res, lang)}
      <button type="submit" class="secondary">${label}</button>
    </form>`;

  function orderItem(res: Response, lang: Lang, o: ProtectionOrderView): SafeHtml {
    const who = o.party.orgId ?? o.party.clerkId ?? '';
    return html`<li class="protection-order">
      <strong>${t(lang, `protections.party.${o.party.kind}`)}</strong> ${who}
      ${o.party.label ? html`(${o.party.label})` : ''} ·
      ${o.courtOrderRef ? t(lang, 'protections.byCourt', { ref: o.courtOrderRef }) : t(lang, 'protections.byCitizen')}
      · ${formatDate(lang, new Date(o.createdAt))} ·
      ${t(lang, o.status === 'in_force' ? 'protections.inForce' : 'protections.withdrawn')}
      ${o.status === 'in_force' ? button(res, lang, `${PATH}/orders/${o.id}/withdraw`, t(lang, 'protections.withdraw')) : ''}
    </li>`;
  }

  function grantItem(res: Response, lang: Lang, g: GrantView, asPrincipal: boolean): SafeHtml {
    const canEnd = g.status === 'active' && (!asPrincipal || g.revocableByPrincipal);
    return html`<li class="grant">
      <strong>${asPrincipal ? g.representative.name : g.principal.name}</strong>
      · ${t(lang, `representative.kind.${g.kind}`)} ·
      ${t(lang, 'protections.until', { date: formatDate(lang, new Date(g.validUntil)) })} ·
      ${t(lang, `protections.status.${g.status}`)}
      ${
        canEnd
          ? button(
              res,
              lang,
              `${PATH}/grants/${g.id}/revoke`,
              t(lang, asPrincipal ? 'protections.revoke' : 'protections.stepDown'),
            )
          : g.status === 'active'
            ? html`<span class="tag">${t(lang, 'protections.notRevocable')}</span>`
            : ''
      }
    </li>`;
  }

  async function render(
    req: Request,
    res: Response,
    lang: Lang,
    citizen: CitizenPrincipal,
    notice?: SafeHtml,
    status = 200,
  ) {
    const [orders, grants] = await Promise.all([
      deps.protections.listMine(citizen),
      deps.representatives.listMine(citizen),
    ]);
    const none = (key: string) => html`<p>${t(lang, key)}</p>`;
    const body = html`<p><a href="/portal">${t(lang, 'protections.back')}</a></p>
      <h1>${t(lang, 'protections.title')}</h1>
      ${notice ?? ''}
      <section aria-labelledby="orders">
        <h2 id="orders">${t(lang, 'protections.orders')}</h2>
        <p>${t(lang, 'protections.ordersIntro')}</p>
        ${
          orders.length
            ? html`<ul>
                ${orders.map((o) => orderItem(res, lang, o))}
              </ul>`
            : none('protections.noOrders')
        }
        <form method="post" action="${PATH}/orders">
          ${hidden(res, lang)}
          <h3>${t(lang, 'protections.newOrder')}</h3>
          <label for="party-kind">${t(lang, 'protections.partyKind')}</label>
          <select id="party-kind" name="kind">
            ${KINDS.map((k) => html`<option value="${k}">${t(lang, `protections.party.${k}`)}</option>`)}
          </select>
          <label for="party-id">${t(lang, 'protections.partyId')}</label>
          <input id="party-id" name="id" required maxlength="100" autocomplete="off" />
          <label for="party-label">${t(lang, 'protections.label')}</label>
          <input id="party-label" name="label" maxlength="100" />
          <button type="submit" class="primary">${t(lang, 'protections.submitOrder')}</button>
        </form>
      </section>
      <section aria-labelledby="representatives">
        <h2 id="representatives">${t(lang, 'protections.representatives')}</h2>
        ${
          grants.representatives.length
            ? html`<ul>
                ${grants.representatives.map((g) => grantItem(res, lang, g, true))}
              </ul>`
            : none('protections.noGrants')
        }
        <form method="post" action="${PATH}/grants">
          ${hidden(res, lang)}
          <h3>${t(lang, 'protections.newDelegation')}</h3>
          <label for="rep-id">${t(lang, 'protections.repId')}</label>
          <input id="rep-id" name="representativeId" required maxlength="14" autocomplete="off" />
          <label for="rep-name">${t(lang, 'protections.repName')}</label>
          <input id="rep-name" name="representativeName" required maxlength="100" />
          <label for="own-name">${t(lang, 'protections.ownName')}</label>
          <input id="own-name" name="principalName" required maxlength="100" />
          <label for="days">${t(lang, 'protections.validDays')}</label>
          <input id="days" name="days" type="number" min="1" max="365" value="30" required />
          <fieldset>
            <legend>${t(lang, 'protections.recordTypes')}</legend>
            ${personTypes().map(
              (rt) =>
                html`<label
                  ><input type="checkbox" name="recordType" value="${rt.id}" /> ${rt.names[lang]}</label
                >`,
            )}
          </fieldset>
          <button type="submit" class="primary">${t(lang, 'protections.submitDelegation')}</button>
        </form>
      </section>
      <section aria-labelledby="principals">
        <h2 id="principals">${t(lang, 'protections.principals')}</h2>
        ${
          grants.principals.length
            ? html`<ul>
                ${grants.principals.map((g) => grantItem(res, lang, g, false))}
              </ul>`
            : none('protections.noGrants')
        }
      </section>`;
    res.set('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(layout({ lang, path: PATH, title: t(lang, 'protections.title'), styles: ['portal.css'], body }));
  }

  const citizenOf = (res: Response): CitizenPrincipal | undefined => {
    const p = principalOf(res);
    return p?.kind === 'citizen' ? p : undefined;
  };

  router.get(PATH, async (req, res) => {
    const lang = chooseLang(req, res);
    const citizen = citizenOf(res);
    if (!citizen) return res.redirect(303, `/auth/login?as=citizen&return_to=${encodeURIComponent(PATH)}`);
    await render(req, res, lang, citizen);
  });

  /** A form's change: CSRF, the use case, then back to the page (or the page with what went wrong). */
  const post = (
    path: string,
    change: (citizen: CitizenPrincipal, body: Record<string, unknown>, req: Request) => Promise<unknown>,
  ) =>
    router.post(path, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const lang = langOf(body.lang, req, res);
      const citizen = citizenOf(res);
      if (!citizen) return res.redirect(303, `/auth/login?as=citizen&return_to=${encodeURIComponent(PATH)}`);
      const failed = (status: number) =>
        render(
          req,
          res,
          lang,
          citizen,
          html`<p class="notice error" role="alert">${t(lang, 'protections.failed')}</p>`,
          status,
        );
      if (!deps.csrf.verify(res, SCOPE, body[CSRF_FIELD])) return failed(403);
      try {
        await change(citizen, body, req);
      } catch (err) {
        if (err instanceof AppError && err.status < 500) return failed(err.status);
        throw err;
      }
      res.redirect(303, `${PATH}?lang=${lang}`);
    });

  post(`${PATH}/orders`, (citizen, body) => {
    const kind = str(body.kind) as PartyKind;
    const id = str(body.id);
    const label = str(body.label);
    return deps.protections.registerMine(citizen, {
      kind,
      ...(kind === 'person' ? { nationalId: id } : kind === 'organisation' ? { orgId: id } : { clerkId: id }),
      ...(label ? { label } : {}),
    });
  });
  post(`${PATH}/orders/:id/withdraw`, (citizen, _body, req) =>
    deps.protections.withdrawMine(
      citizen,
      UUID.test(String(req.params.id)) ? String(req.params.id) : '00000000-0000-0000-0000-000000000000',
    ),
  );
  post(`${PATH}/grants`, (citizen, body) => {
    const days = Math.min(365, Math.max(1, Math.floor(Number(str(body.days)) || 0)));
    return deps.representatives.delegate(citizen, {
      representative: { scheme: 'rrn', id: str(body.representativeId), name: str(body.representativeName) },
      principalName: str(body.principalName),
      recordTypes: list(body.recordType),
      validUntil: new Date(clock().getTime() + days * DAY_MS).toISOString(),
    });
  });
  post(`${PATH}/grants/:id/revoke`, (citizen, _body, req) =>
    deps.representatives.revokeMine(
      citizen,
      UUID.test(String(req.params.id)) ? String(req.params.id) : '00000000-0000-0000-0000-000000000000',
    ),
  );
  return router;
}
