/**
 * The clerk's page while the citizen decides (pure), issue 20 problem 2. It names the citizen (masked) and the
 * purpose; while the request waits it shows the QR code, the short link, the time left and a cancel button;
 * once the citizen approves, refuses, or the request expires or is cancelled, the QR code and cancel go and the
 * page says so, with "Run the query" or a "Start again" link. console.js polls the request and makes the same
 * changes in place: every state's text is in data attributes, the parts of each state carry data-show-in.
 */
import type { ConsentRequestView } from '../../consents/consents.types.js';
import { schemeName } from '../../web/catalog-text.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { formatDateTime, t, type Lang } from '../../web/i18n.js';
import type { CheckedForm, CounterPurpose } from '../console.service.js';
import { qrSvg } from '../qr-code.js';
import type { CatalogLookup } from './result.view.js';
import { hiddenState, summaryList } from './shell.js';

/** The reason the withdrawal writes (request-withdrawal.ts); the page shows it as "you cancelled". */
export const WITHDRAWN_REASON = 'Withdrawn by the requesting clerk.';

export interface WaitingModel {
  described: CounterPurpose;
  checked: CheckedForm;
  request: ConsentRequestView;
  csrf: string;
  /** The server's clock when the page is made (the countdown starts from it). */
  now: Date;
}

const STATES = ['REQUESTED', 'ACTIVE', 'REJECTED', 'EXPIRED', 'REVOKED', 'PAUSED', 'EXHAUSTED'] as const;

/** The state the page shows: a cancelled request is EXPIRED with the withdrawal's reason. */
export function shownState(request: ConsentRequestView): string {
  return request.status === 'EXPIRED' && request.statusReason === WITHDRAWN_REASON
    ? 'WITHDRAWN'
    : request.status;
}

function titleKey(state: string): string {
  if (state === 'REQUESTED') return 'console.wait.title';
  return state === 'ACTIVE' ? 'console.wait.titleActive' : 'console.wait.titleEnded';
}

export function waitingBody(lang: Lang, catalog: CatalogLookup, m: WaitingModel): SafeHtml {
  const { request, checked, described } = m;
  const state = shownState(request);
  const link = request.shortUrl ?? request.citizenUrl;
  const waiting = state === 'REQUESTED';
  const hiddenUnless = (show: boolean) => raw(show ? '' : 'hidden');
  const records = request.recordTypes
    .map((rt) => (catalog.has(rt) ? catalog.get(rt).names[lang] : rt))
    .join(', ');
  return html`<h1
      id="wait-title"
      data-title-requested="${t(lang, 'console.wait.title')}"
      data-title-active="${t(lang, 'console.wait.titleActive')}"
      data-title-ended="${t(lang, 'console.wait.titleEnded')}"
    >
      ${t(lang, titleKey(state))}
    </h1>
    ${summaryList([
      [
        t(lang, 'console.wait.citizen'),
        checked.subject
          ? html`${schemeName(lang, checked.subject.scheme)}
              <code data-testid="wait-subject">${checked.subject.masked}</code>`
          : undefined,
      ],
      [t(lang, 'console.wait.purpose'), described.purpose.names[lang]],
      [t(lang, 'console.wait.records'), records],
    ])}
    <div class="handoff" id="handoff" data-show-in="REQUESTED" ${hiddenUnless(waiting)}>
      <div class="qr">
        ${raw(qrSvg(link, { label: t(lang, 'console.wait.qrLabel', { url: link }), className: 'qr-code' }))}
      </div>
      <div>
        <p>${t(lang, 'console.wait.scan')}</p>
        ${summaryList([
          [
            t(lang, 'console.wait.shortLink'),
            html`<a class="short-link" href="${link}" data-testid="short-link">${link}</a>`,
          ],
          [
            t(lang, 'console.wait.code'),
            request.shortCode ? html`<strong class="short-code">${request.shortCode}</strong>` : undefined,
          ],
          [t(lang, 'console.wait.expires'), formatDateTime(lang, new Date(request.expiresAt))],
          [
            t(lang, 'console.wait.remaining'),
            html`<span id="countdown" data-expires="${request.expiresAt}" role="timer" aria-live="off"
              >${remaining(request.expiresAt, m.now)}</span
            >`,
          ],
        ])}
      </div>
    </div>
    <h2>${t(lang, 'console.wait.status')}</h2>
    <p
      id="consent-status"
      class="notice ${state === 'ACTIVE' ? 'ok' : waiting ? '' : 'error'}"
      role="status"
      data-status="${state}"
      data-poll="/v1/consent-requests/${request.id}"
      ${[...STATES, 'WITHDRAWN'].map((s) => html` data-text-${s.toLowerCase()}="${t(lang, `console.status.${s}`)}"`)}
    >
      ${t(lang, `console.status.${state}`)}
    </p>
    <form method="post" action="/console/query" class="waiting" data-clear-draft-page>
      ${hiddenState(m.csrf, checked, request.id)}
      <p class="hint" data-show-in="REQUESTED" ${hiddenUnless(waiting)}>${t(lang, 'console.wait.auto')}</p>
      <div class="actions">
        <button
          type="submit"
          class="primary"
          name="step"
          value="run"
          id="run-query"
          data-show-in="ACTIVE"
          ${hiddenUnless(state === 'ACTIVE')}
        >
          ${t(lang, 'console.wait.run')}
        </button>
        <button
          type="submit"
          class="secondary"
          name="step"
          value="check"
          id="check-again"
          data-show-in="REQUESTED"
          ${hiddenUnless(waiting)}
        >
          ${t(lang, 'console.wait.checkAgain')}
        </button>
        <button
          type="submit"
          class="secondary"
          name="step"
          value="cancel"
          id="cancel-request"
          aria-describedby="cancel-hint"
          data-show-in="REQUESTED"
          ${hiddenUnless(waiting)}
        >
          ${t(lang, 'console.wait.cancel')}
        </button>
        <a
          class="button ${waiting || state === 'ACTIVE' ? 'secondary' : 'primary'}"
          id="start-again"
          href="/console/query?purpose=${encodeURIComponent(described.purpose.code)}"
          >${t(lang, 'console.wait.restart')}</a
        >
      </div>
      <p class="hint" id="cancel-hint" data-show-in="REQUESTED" ${hiddenUnless(waiting)}>
        ${t(lang, 'console.wait.cancelHint')}
      </p>
    </form>`;
}

/** "m:ss" left until the request expires, counted from the server's clock when the page was made. */
export function remaining(expiresAt: string, now: Date): string {
  const seconds = Math.max(0, Math.floor((new Date(expiresAt).getTime() - now.getTime()) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
