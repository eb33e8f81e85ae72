/**
 * Pure views of the portal's protections page (/portal/protections): the citizen's protection orders
 * and the representative grants about them, with the forms to apply for an order, delegate, withdraw
 * and revoke. Data in, HTML out: the handlers (protections.pages.ts) fetch and pass the CSRF token.
 * Stable hooks for tests: `li.protection-order[data-status]`, `li.grant[data-status]`.
 */
import { CSRF_FIELD } from '../auth/csrf.js';
import type { GrantView } from '../representatives/representatives.types.js';
import { html, type SafeHtml } from '../web/html.js';
import { formatDate, t, type Lang } from '../web/i18n.js';
import { layout } from '../web/layout.js';
import { portalNav } from '../portal/views/nav.js';
import type { PartyKind, ProtectionOrderView } from './protections.types.js';
import '../representatives/on-behalf.js';
import './protections-ko.messages.js';
import './protection.messages.js';

export const PROTECTIONS_PATH = '/portal/protections';

export interface Named {
  id: string;
  name: string;
}

export interface ProtectionsPageData {
  lang: Lang;
  /** The session's CSRF token, in every form (the sign-out form's included). */
  csrfToken: string;
  orders: ProtectionOrderView[];
  grants: { representatives: GrantView[]; principals: GrantView[] };
  /** Organisations a citizen can bar, by name in the page's language. */
  organisations: Named[];
  /** Record types a citizen can delegate (person records), by name in the page's language. */
  recordTypes: Named[];
  notice?: 'done' | 'failed';
}

function hidden(d: ProtectionsPageData): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${d.csrfToken}" />
    <input type="hidden" name="lang" value="${d.lang}" />`;
}

function button(d: ProtectionsPageData, action: string, label: string, name: string): SafeHtml {
  return html`<form method="post" action="${action}" class="inline-form">
    ${hidden(d)}
    <button type="submit" class="secondary" aria-label="${label}: ${name}">${label}</button>
  </form>`;
}

function orderItem(d: ProtectionsPageData, o: ProtectionOrderView): SafeHtml {
  const { lang } = d;
  const org = o.party.orgId ? d.organisations.find((n) => n.id === o.party.orgId) : undefined;
  const who = org?.name ?? o.party.orgId ?? o.party.clerkId ?? '';
  const label =
    [who, o.party.label].filter(Boolean).join(' · ') || t(lang, `protections.party.${o.party.kind}`);
  return html`<li class="protection-order" data-status="${o.status}">
    <strong>${t(lang, `protections.party.${o.party.kind}`)}</strong> ${who}
    ${o.party.label ? html`(${o.party.label})` : ''} ·
    ${o.courtOrderRef ? t(lang, 'protections.byCourt', { ref: o.courtOrderRef }) : t(lang, 'protections.byCitizen')}
    · ${formatDate(lang, new Date(o.createdAt))} ·
    ${t(lang, o.status === 'in_force' ? 'protections.inForce' : 'protections.withdrawn')}
    ${
      o.status === 'in_force'
        ? button(d, `${PROTECTIONS_PATH}/orders/${o.id}/withdraw`, t(lang, 'protections.withdraw'), label)
        : ''
    }
  </li>`;
}

function grantItem(d: ProtectionsPageData, g: GrantView, asPrincipal: boolean): SafeHtml {
  const { lang } = d;
  const other = asPrincipal ? g.representative.name : g.principal.name;
  const canEnd = g.status === 'active' && (!asPrincipal || g.revocableByPrincipal);
  const action = t(lang, asPrincipal ? 'protections.revoke' : 'protections.stepDown');
  return html`<li class="grant" data-status="${g.status}">
    <strong>${other}</strong> · ${t(lang, `representative.kind.${g.kind}`)} ·
    ${t(lang, 'protections.until', { date: formatDate(lang, new Date(g.validUntil)) })} ·
    ${t(lang, `protections.status.${g.status}`)}
    ${canEnd ? button(d, `${PROTECTIONS_PATH}/grants/${g.id}/revoke`, action, other) : ''}
    ${g.status === 'active' && !canEnd ? html`<span class="tag">${t(lang, 'protections.notRevocable')}</span>` : ''}
  </li>`;
}

function grantList(d: ProtectionsPageData, grants: GrantView[], asPrincipal: boolean): SafeHtml {
  return grants.length
    ? html`<ul class="grant-list">
        ${grants.map((g) => grantItem(d, g, asPrincipal))}
      </ul>`
    : html`<p>${t(d.lang, 'protections.noGrants')}</p>`;
}

function orderForm(d: ProtectionsPageData): SafeHtml {
  const { lang } = d;
  const kinds: PartyKind[] = ['organisation', 'person', 'clerk'];
  return html`<form method="post" action="${PROTECTIONS_PATH}/orders">
    ${hidden(d)}
    <h3>${t(lang, 'protections.newOrder')}</h3>
    <fieldset class="channel">
      <legend>${t(lang, 'protections.partyKind')}</legend>
      ${kinds.map(
        (k, i) =>
          html`<div class="check">
            <input type="radio" id="kind-${k}" name="kind" value="${k}" ${i === 0 ? html`checked` : ''} />
            <label for="kind-${k}">${t(lang, `protections.party.${k}`)}</label>
          </div>`,
      )}
    </fieldset>
    <div class="field">
      <label for="party-org">${t(lang, 'protections.orgField')}</label>
      <select id="party-org" name="orgId">
        <option value="">—</option>
        ${d.organisations.map((o) => html`<option value="${o.id}">${o.name}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="party-person">${t(lang, 'protections.personField')}</label>
      <input id="party-person" name="nationalId" maxlength="14" autocomplete="off" inputmode="numeric" />
    </div>
    <div class="field">
      <label for="party-clerk">${t(lang, 'protections.clerkField')}</label>
      <input id="party-clerk" name="clerkId" maxlength="100" autocomplete="off" />
    </div>
    <div class="field">
      <label for="party-label">${t(lang, 'protections.label')}</label>
      <input id="party-label" name="label" maxlength="100" />
    </div>
    <button type="submit" class="primary">${t(lang, 'protections.submitOrder')}</button>
  </form>`;
}

function delegationForm(d: ProtectionsPageData): SafeHtml {
  const { lang } = d;
  return html`<form method="post" action="${PROTECTIONS_PATH}/grants">
    ${hidden(d)}
    <h3>${t(lang, 'protections.newDelegation')}</h3>
    <div class="field">
      <label for="rep-id">${t(lang, 'protections.repId')}</label>
      <input id="rep-id" name="representativeId" required maxlength="14" autocomplete="off" />
    </div>
    <div class="field">
      <label for="rep-name">${t(lang, 'protections.repName')}</label>
      <input id="rep-name" name="representativeName" required maxlength="100" />
    </div>
    <div class="field">
      <label for="own-name">${t(lang, 'protections.ownName')}</label>
      <input id="own-name" name="principalName" required maxlength="100" />
    </div>
    <div class="field">
      <label for="days">${t(lang, 'protections.validDays')}</label>
      <input id="days" name="days" type="number" min="1" max="365" value="30" required />
    </div>
    <fieldset class="channel">
      <legend>${t(lang, 'protections.recordTypes')}</legend>
      ${d.recordTypes.map(
        (rt, i) =>
          html`<div class="check">
            <input type="checkbox" id="rt-${i}" name="recordType" value="${rt.id}" />
            <label for="rt-${i}">${rt.name}</label>
          </div>`,
      )}
    </fieldset>
    <button type="submit" class="primary">${t(lang, 'protections.submitDelegation')}</button>
  </form>`;
}

/** The whole page, in the layout every portal page shares. */
export function protectionsPage(d: ProtectionsPageData): string {
  const { lang } = d;
  const notice =
    d.notice === 'done'
      ? html`<p class="notice ok" role="status">${t(lang, 'protections.done')}</p>`
      : d.notice === 'failed'
        ? html`<p class="notice error" role="alert">${t(lang, 'protections.failed')}</p>`
        : '';
  const body = html`${portalNav(lang, d.csrfToken, 'protections')}
    <h1>${t(lang, 'protections.title')}</h1>
    ${notice}
    <section class="card" aria-labelledby="orders">
      <h2 id="orders">${t(lang, 'protections.orders')}</h2>
      <p>${t(lang, 'protections.ordersIntro')}</p>
      ${
        d.orders.length
          ? html`<ul class="order-list">
              ${d.orders.map((o) => orderItem(d, o))}
            </ul>`
          : html`<p>${t(lang, 'protections.noOrders')}</p>`
      }
      ${orderForm(d)}
    </section>
    <section class="card" aria-labelledby="representatives">
      <h2 id="representatives">${t(lang, 'protections.representatives')}</h2>
      ${grantList(d, d.grants.representatives, true)} ${delegationForm(d)}
    </section>
    <section class="card" aria-labelledby="principals">
      <h2 id="principals">${t(lang, 'protections.principals')}</h2>
      ${grantList(d, d.grants.principals, false)}
    </section>`;
  return layout({
    lang,
    path: PROTECTIONS_PATH,
    title: t(lang, 'protections.title'),
    styles: ['portal.css'],
    body,
  });
}

/** Anonymous visitors get a sign-in link; another kind of principal is told the page is for citizens. */
export function protectionsGatePage(lang: Lang, signedInAsOther: boolean, signIn: string): string {
  const title = t(lang, signedInAsOther ? 'error.forbidden' : 'portal.signInTitle');
  return layout({
    lang,
    path: PROTECTIONS_PATH,
    title,
    styles: ['portal.css'],
    body: html`<h1>${t(lang, signedInAsOther ? 'error.title' : 'portal.signInTitle')}</h1>
      <p>${t(lang, signedInAsOther ? 'portal.citizensOnly' : 'portal.signInText')}</p>
      <p><a class="button primary" href="${signIn}">${t(lang, 'portal.signIn')}</a></p>`,
  });
}
