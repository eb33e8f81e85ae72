/**
 * The citizen's consents (pure views): the list, one consent with its events, the confirmation step of pause /
 * resume / revoke without the script. Buttons named Pause / Resume / Revoke; the dialog texts ride on the form.
 */
import { CSRF_FIELD } from '../../auth/csrf.js';
import type { RecordType } from '../../catalog/catalog.types.js';
import type { CitizenConsentView } from '../../consents/consents.types.js';
import { legalBasisText } from '../../web/catalog-text.js';
import { fieldLabel } from '../../web/field-labels.js';
import { html, type SafeHtml } from '../../web/html.js';
import { formatDate, t, type Lang } from '../../web/i18n.js';
import { clerkShortRef } from './history-cards.view.js';
import { time } from './shell.js';

export type Action = 'pause' | 'resume' | 'revoke';
export const ACTIONS: readonly Action[] = ['pause', 'resume', 'revoke'];

/** What the consent views need: the language, the session's CSRF token and the catalogue's record types. */
export interface ConsentViewContext {
  lang: Lang;
  csrf: string;
  recordType: (id: string) => RecordType | undefined;
}

export function actionsFor(status: CitizenConsentView['status']): Action[] {
  if (status === 'ACTIVE') return ['pause', 'revoke'];
  if (status === 'PAUSED') return ['resume', 'revoke'];
  return [];
}

function actorText(lang: Lang, actor: string): string {
  if (actor === 'citizen') return t(lang, 'consents.actor.citizen');
  if (actor === 'system') return t(lang, 'consents.actor.system');
  if (actor.startsWith('clerk:'))
    return t(lang, 'history.counterClerk', { ref: clerkShortRef(actor.slice(6)) });
  return t(lang, 'consents.actor.requester');
}

function actionForm(
  ctx: ConsentViewContext,
  consent: CitizenConsentView,
  action: Action,
  labelledBy: string,
) {
  const { lang } = ctx;
  const org = consent.requester.names[lang];
  return html`<form
    method="post"
    action="/portal/consents/${consent.id}/${action}"
    class="inline-form"
    data-confirm-title="${t(lang, `action.confirmTitle.${action}`)}"
    data-confirm-text="${t(lang, `action.confirmText.${action}`, { org })}"
    data-confirm-yes="${t(lang, `action.confirm.${action}`)}"
    data-confirm-cancel="${t(lang, 'action.cancel')}"
    data-confirm-danger="${action === 'revoke' ? 'true' : 'false'}"
  >
    <input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}" />
    <input type="hidden" name="lang" value="${lang}" />
    <button
      type="submit"
      class="${action === 'revoke' ? 'danger' : 'secondary'}"
      aria-describedby="${labelledBy}"
    >
      ${t(lang, `action.${action}`)}
    </button>
  </form>`;
}

function recordNames(ctx: ConsentViewContext, consent: CitizenConsentView): string {
  return consent.recordTypes.map((id) => ctx.recordType(id)?.names[ctx.lang] ?? id).join(', ');
}

function validity(lang: Lang, consent: CitizenConsentView): string {
  if (!consent.validFrom || !consent.validUntil) return t(lang, 'consents.notYetValid');
  return t(lang, 'consents.validityValue', {
    from: formatDate(lang, new Date(consent.validFrom)),
    to: formatDate(lang, new Date(consent.validUntil)),
  });
}

const statusBadge = (lang: Lang, status: CitizenConsentView['status']) =>
  html`<span class="badge status-${status}">${t(lang, `consents.status.${status}`)}</span>`;

function answerLink(lang: Lang, c: CitizenConsentView): SafeHtml | '' {
  return c.status === 'REQUESTED'
    ? html`<a class="button primary" href="/consent/${c.id}">${t(lang, 'consents.answer')}</a>`
    : '';
}

export function consentsListBody(
  ctx: ConsentViewContext,
  items: CitizenConsentView[],
  next?: string,
): SafeHtml {
  const { lang } = ctx;
  return html`<h1>${t(lang, 'consents.title')}</h1>
    <p>${t(lang, 'consents.intro')}</p>
    ${
      items.length
        ? html`<ul class="consent-list" aria-label="${t(lang, 'consents.list')}">
            ${items.map((c) => {
              const titleId = `c-${c.id}-title`;
              return html`<li class="consent status-${c.status}" data-consent-id="${c.id}">
                <article aria-labelledby="${titleId}">
                  <h2 id="${titleId}"><a href="/portal/consents/${c.id}">${c.requester.names[lang]}</a></h2>
                  <p>${statusBadge(lang, c.status)}</p>
                  <dl class="summary">
                    <dt>${t(lang, 'consents.purpose')}</dt>
                    <dd>${c.purpose.names[lang]}</dd>
                    <dt>${t(lang, 'consents.records')}</dt>
                    <dd>${recordNames(ctx, c)}</dd>
                    <dt>${t(lang, 'consents.validity')}</dt>
                    <dd>${validity(lang, c)}</dd>
                    <dt>${t(lang, 'consents.mode')}</dt>
                    <dd>${t(lang, `mode.${c.mode}`)}</dd>
                  </dl>
                  <div class="actions">
                    ${actionsFor(c.status).map((a) => actionForm(ctx, c, a, titleId))} ${answerLink(lang, c)}
                    <a class="button secondary" href="/portal/consents/${c.id}" aria-describedby="${titleId}"
                      >${t(lang, 'consents.details')}</a
                    >
                  </div>
                </article>
              </li>`;
            })}
          </ul>`
        : html`<p class="empty">${t(lang, 'consents.empty')}</p>`
    }
    ${
      next
        ? html`<nav class="pager" aria-label="${t(lang, 'history.pages')}">
            <a href="/portal/consents?cursor=${next}" rel="next">${t(lang, 'consents.more')}</a>
          </nav>`
        : ''
    }`;
}

function grantedFields(ctx: ConsentViewContext, consent: CitizenConsentView): SafeHtml {
  const { lang } = ctx;
  return html`<ul class="granted">
    ${consent.recordTypes.map((rtId) => {
      const type = ctx.recordType(rtId);
      const granted = consent.fieldsGranted?.[rtId];
      const fields =
        granted === 'all'
          ? html`${t(lang, 'consents.allFields')}`
          : granted && type
            ? html`${granted.map((f, i) => {
                const label = fieldLabel(lang, type, f);
                return html`${i ? ', ' : ''}${label.lang === lang ? label.text : html`<span lang="${label.lang}">${label.text}</span>`}`;
              })}`
            : '';
      return html`<li>
        <strong>${type ? type.names[lang] : rtId}</strong>${fields ? html`: ${fields}` : ''}
      </li>`;
    })}
  </ul>`;
}

function eventsTable(lang: Lang, consent: CitizenConsentView): SafeHtml {
  return html`<h2 id="events-title">${t(lang, 'consents.events')}</h2>
    <div class="table-wrap">
      <table class="events" aria-labelledby="events-title">
        <thead>
          <tr>
            <th scope="col">${t(lang, 'consents.eventAt')}</th>
            <th scope="col">${t(lang, 'consents.eventWhat')}</th>
            <th scope="col">${t(lang, 'consents.eventWho')}</th>
          </tr>
        </thead>
        <tbody>
          ${(consent.events ?? []).map(
            (e) =>
              html`<tr>
                <td>${time(lang, e.at)}</td>
                <td>
                  ${t(lang, `consents.event.${e.type}`)}${e.reason ? html` <span class="hint" lang="en">(${e.reason})</span>` : ''}
                </td>
                <td>${actorText(lang, e.actor)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

export function consentDetailBody(
  ctx: ConsentViewContext,
  consent: CitizenConsentView,
  done?: Action,
): SafeHtml {
  const { lang } = ctx;
  const org = consent.requester.names[lang];
  const basis = legalBasisText(lang, consent.purpose.legalBasis);
  return html`<p><a href="/portal/consents">← ${t(lang, 'consents.back')}</a></p>
    <h1 id="consent-title">${t(lang, 'consents.detailsOf', { org })}</h1>
    ${done ? html`<p class="notice ok" role="status">${t(lang, `action.done.${done}`, { org })}</p>` : ''}
    <dl class="summary">
      <dt>${t(lang, 'consents.status')}</dt>
      <dd>${statusBadge(lang, consent.status)}</dd>
      <dt>${t(lang, 'consents.requester')}</dt>
      <dd>${org} <span class="tag">${t(lang, `class.${consent.requester.class}`)}</span></dd>
      <dt>${t(lang, 'consents.purpose')}</dt>
      <dd>${consent.purpose.names[lang]}</dd>
      <dt>${t(lang, 'consents.legalBasis')}</dt>
      <dd lang="${basis.lang}">${basis.text}</dd>
      <dt>${t(lang, 'consents.mode')}</dt>
      <dd>${t(lang, `mode.${consent.mode}`)}</dd>
      <dt>${t(lang, 'consents.validity')}</dt>
      <dd>${validity(lang, consent)}</dd>
      <dt>${t(lang, 'consents.uses')}</dt>
      <dd>${t(lang, 'consents.usesValue', { n: consent.useCount, max: consent.usage.maxUses })}</dd>
      <dt>${t(lang, 'consents.lastUsed')}</dt>
      <dd>${consent.lastUsedAt ? time(lang, consent.lastUsedAt) : t(lang, 'consents.never')}</dd>
      ${
        consent.clerkId
          ? html`<dt>${t(lang, 'consents.clerk')}</dt>
              <dd>${t(lang, 'history.counterClerk', { ref: clerkShortRef(consent.clerkId) })}</dd>`
          : ''
      }
      ${
        consent.documentReference
          ? html`<dt>${t(lang, 'consents.document')}</dt>
              <dd><code>${consent.documentReference}</code></dd>`
          : ''
      }
    </dl>
    <h2>${t(lang, 'consents.records')}</h2>
    ${grantedFields(ctx, consent)}
    <div class="actions">
      ${actionsFor(consent.status).map((a) => actionForm(ctx, consent, a, 'consent-title'))}
      ${answerLink(lang, consent)}
    </div>
    ${eventsTable(lang, consent)}`;
}

/** The confirmation step without the script: a page with the same question and buttons. */
export function confirmBody(ctx: ConsentViewContext, consent: CitizenConsentView, action: Action): SafeHtml {
  const { lang } = ctx;
  const org = consent.requester.names[lang];
  return html`<h1>${t(lang, `action.confirmTitle.${action}`)}</h1>
    <p>${t(lang, `action.confirmText.${action}`, { org })}</p>
    <dl class="summary">
      <dt>${t(lang, 'consents.requester')}</dt>
      <dd>${org}</dd>
      <dt>${t(lang, 'consents.purpose')}</dt>
      <dd>${consent.purpose.names[lang]}</dd>
    </dl>
    <form method="post" action="/portal/consents/${consent.id}/${action}">
      <input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}" />
      <input type="hidden" name="lang" value="${lang}" />
      <input type="hidden" name="confirm" value="yes" />
      <div class="actions">
        <button type="submit" class="${action === 'revoke' ? 'danger' : 'primary'}">
          ${t(lang, `action.confirm.${action}`)}
        </button>
        <a class="button secondary" href="/portal/consents/${consent.id}">${t(lang, 'action.cancel')}</a>
      </div>
    </form>`;
}
