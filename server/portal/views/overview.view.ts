/** The portal's overview page (pure view): the latest requests (one line per visit), the consents in force, notifications. */
import { html, type SafeHtml } from '../../web/html.js';
import { t, type Lang } from '../../web/i18n.js';
import type { HistoryEntry } from '../portal.service.js';
import { groupByRequest } from './history-cards.view.js';
import { markerText, orgName, time } from './shell.js';

export interface OverviewModel {
  latest: HistoryEntry[];
  active: number;
  paused: number;
  notificationsOn: boolean;
}

export function overviewBody(lang: Lang, m: OverviewModel): SafeHtml {
  return html`<h1>${t(lang, 'portal.title')}</h1>
    <p>${t(lang, 'portal.intro')}</p>
    <section aria-labelledby="recent-title" class="card">
      <h2 id="recent-title">${t(lang, 'portal.overview.recent')}</h2>
      ${
        m.latest.length
          ? html`<ul class="recent-list">
              ${groupByRequest(m.latest)
                .slice(0, 3)
                .map((group) => {
                  const entry = group.entries[0]!;
                  const e = entry.entry;
                  const records = group.entries
                    .map((g) =>
                      g.recordType ? g.recordType.names[lang] : markerText(lang, g.entry.recordType),
                    )
                    .join(', ');
                  const outcomes = new Set(group.entries.map((g) => g.entry.outcome));
                  return html`<li>
                    <a href="/portal/history#entry-${entry.index}"
                      >${orgName(lang, e.requester.org, entry.organisation)} · ${records}</a
                    >
                    ${[...outcomes].map(
                      (o) => html`<span class="badge badge-${o}">${t(lang, `history.outcome.${o}`)}</span>`,
                    )}
                    <br /><span class="hint">${time(lang, e.createdAt)}</span>
                  </li>`;
                })}
            </ul>`
          : html`<p>${t(lang, 'portal.overview.noAccess')}</p>`
      }
      <p><a href="/portal/history">${t(lang, 'portal.overview.seeAll')}</a></p>
    </section>
    <section aria-labelledby="consents-title" class="card">
      <h2 id="consents-title">${t(lang, 'portal.overview.activeConsents')}</h2>
      <p>${t(lang, 'portal.overview.activeCount', { n: m.active, paused: m.paused })}</p>
      <p><a href="/portal/consents">${t(lang, 'portal.overview.manageConsents')}</a></p>
    </section>
    <section aria-labelledby="notify-title" class="card">
      <h2 id="notify-title">${t(lang, 'portal.overview.notifications')}</h2>
      <p>
        ${t(lang, m.notificationsOn ? 'portal.overview.notificationsOn' : 'portal.overview.notificationsOff')}
      </p>
      <p><a href="/portal/notifications">${t(lang, 'portal.overview.manageNotifications')}</a></p>
    </section>`;
}
