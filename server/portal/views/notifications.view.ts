/** The notification preferences page (pure view): the form with its errors and the recent notices. */
import { CSRF_FIELD } from '../../auth/csrf.js';
import type { RecordType } from '../../catalog/catalog.types.js';
import { noticeStatusText } from '../../notices/status.js';
import { html, type SafeHtml } from '../../web/html.js';
import { t, type Lang } from '../../web/i18n.js';
import type { NotificationEvent } from '../portal.repo.js';
import type { NotificationForm } from '../portal.service.js';
import { markerText, time } from './shell.js';

export type NotificationErrors = Partial<Record<'email' | 'webhookUrl', string>>;

export interface NotificationsModel {
  lang: Lang;
  csrf: string;
  values: NotificationForm;
  errors: NotificationErrors;
  recent: NotificationEvent[];
  notice: SafeHtml | '';
  recordType: (id: string) => RecordType | undefined;
}

function channel(
  m: NotificationsModel,
  on: { id: string; name: string; checked: boolean; label: string },
  field: {
    id: 'email' | 'webhookUrl';
    name: string;
    type: string;
    label: string;
    hint: SafeHtml;
    extra: SafeHtml;
  },
): SafeHtml {
  const { lang } = m;
  const error = m.errors[field.id];
  return html`<div class="check">
      <input type="checkbox" id="${on.id}" name="${on.name}" value="yes" ${on.checked ? html`checked` : ''} />
      <label for="${on.id}">${on.label}</label>
    </div>
    <div class="field ${error ? 'has-error' : ''}">
      <label for="${field.id}">${field.label}</label>
      <p class="hint" id="${field.id}-hint">${field.hint}</p>
      ${error ? html`<p class="field-error" id="${field.id}-error">${t(lang, error)}</p>` : ''}
      <input
        type="${field.type}"
        id="${field.id}"
        name="${field.name}"
        ${field.extra}
        value="${m.values[field.id]}"
        aria-describedby="${field.id}-hint${error ? ` ${field.id}-error` : ''}"
        ${error ? html`aria-invalid="true"` : ''}
      />
    </div>`;
}

function recentTable(m: NotificationsModel): SafeHtml {
  const { lang } = m;
  if (!m.recent.length) return html`<p>${t(lang, 'notify.recentEmpty')}</p>`;
  return html`<div class="table-wrap">
    <table aria-labelledby="recent-title">
      <thead>
        <tr>
          <th scope="col">${t(lang, 'history.when')}</th>
          <th scope="col">${t(lang, 'notify.channels')}</th>
          <th scope="col">${t(lang, 'history.record')}</th>
          <th scope="col">${t(lang, 'consents.status')}</th>
        </tr>
      </thead>
      <tbody>
        ${m.recent.map(
          (n) =>
            html`<tr>
              <td>${time(lang, n.payload.at)}</td>
              <td>${t(lang, `notify.channel.${n.channel}`)}</td>
              <td>
                <a href="/portal/history#entry-${n.logIdx}"
                  >${m.recordType(n.payload.recordType)?.names[lang] ?? markerText(lang, n.payload.recordType)}</a
                >
              </td>
              <td>${noticeStatusText(lang, n)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function notificationsBody(m: NotificationsModel): SafeHtml {
  const { lang, errors } = m;
  const errorKeys = (['email', 'webhookUrl'] as const).filter((k) => errors[k]);
  return html`<h1>${t(lang, 'notify.title')}</h1>
    <p>${t(lang, 'notify.intro')}</p>
    ${m.notice}
    ${
      errorKeys.length
        ? html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">${t(lang, 'notify.errorSummary')}</h2>
            <ul>
              ${errorKeys.map((k) => html`<li><a href="#${k}">${t(lang, errors[k]!)}</a></li>`)}
            </ul>
          </div>`
        : ''
    }
    <form method="post" action="/portal/notifications" novalidate>
      <input type="hidden" name="${CSRF_FIELD}" value="${m.csrf}" />
      <input type="hidden" name="lang" value="${lang}" />
      <fieldset class="channel">
        <legend>${t(lang, 'notify.channels')}</legend>
        ${channel(
          m,
          { id: 'email-on', name: 'email_on', checked: m.values.emailOn, label: t(lang, 'notify.email') },
          {
            id: 'email',
            name: 'email',
            type: 'email',
            label: t(lang, 'notify.emailAddress'),
            hint: html`${t(lang, 'notify.emailHint')}<br />${t(lang, 'notify.emailNote')}`,
            extra: html`autocomplete="email"`,
          },
        )}
        ${channel(
          m,
          {
            id: 'webhook-on',
            name: 'webhook_on',
            checked: m.values.webhookOn,
            label: t(lang, 'notify.webhook'),
          },
          {
            id: 'webhookUrl',
            name: 'webhook_url',
            type: 'url',
            label: t(lang, 'notify.webhookUrl'),
            hint: html`${t(lang, 'notify.webhookHint', { jwks: '/.well-known/jwks.json' })}`,
            extra: html`inputmode="url"`,
          },
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary">${t(lang, 'notify.save')}</button>
      </div>
    </form>
    <h2 id="recent-title">${t(lang, 'notify.recent')}</h2>
    ${recentTable(m)}`;
}
