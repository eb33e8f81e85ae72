/** The administrator console's organisation views (pure: view model → escaped HTML). Handlers: ../admin.pages.ts. */
import type { ApiClient, Clerk, Organisation, Purpose } from '../../organisations/organisations.types.js';
import { ORG_CLASSES } from '../../organisations/organisations.types.js';
import { html } from '../../web/html.js';
import { t, type Lang } from '../../web/i18n.js';
import { csrfField, errorSummary, notice, selectField, staffPage, textField, type Viewer } from './shell.js';

export type Refusal = { lead: string; details: string[] } | undefined;
/** What the person typed, given back with a refusal. */
export type Typed = Record<string, string>;

const status = (lang: Lang, s: string) => html`<span class="tag">${t(lang, `admin.status.${s}`)}</span>`;

export interface OrganisationsView {
  viewer: Viewer;
  organisations: Organisation[];
  done: string | undefined;
  error: Refusal;
  typed: Typed;
}

export function organisationsPage(m: OrganisationsView): string {
  const { lang } = m.viewer;
  const v = (k: string) => m.typed[k] ?? '';
  const body = html`<h1>${t(lang, 'admin.orgs.title')}</h1>
    ${notice(m.done ? t(lang, `admin.done.${m.done}`) : undefined)} ${errorSummary(lang, m.error)}
    <div class="table-scroll" role="region" aria-labelledby="orgs-caption" tabindex="0">
      <table>
        <caption id="orgs-caption">
          ${t(lang, 'admin.orgs.caption', { n: m.organisations.length })}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t(lang, 'admin.col.name')}</th>
            <th scope="col">${t(lang, 'admin.col.id')}</th>
            <th scope="col">${t(lang, 'admin.col.class')}</th>
            <th scope="col">${t(lang, 'admin.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          ${m.organisations.map(
            (o) =>
              html`<tr>
                <td><a href="/admin/organisations/${encodeURIComponent(o.id)}">${o.names[lang]}</a></td>
                <td><code>${o.id}</code></td>
                <td>${t(lang, `class.${o.class}`)}</td>
                <td>${status(lang, o.status)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <section aria-labelledby="new-org-title">
      <h2 id="new-org-title">${t(lang, 'admin.orgs.new')}</h2>
      <form method="post" action="/admin/organisations">
        ${csrfField(m.viewer)}
        ${textField('id', t(lang, 'admin.field.orgId'), v('id'), { hint: t(lang, 'admin.field.orgIdHint'), required: true })}
        ${selectField(
          'class',
          t(lang, 'admin.col.class'),
          ORG_CLASSES.map((c) => ({ value: c, label: t(lang, `class.${c}`) })),
          v('class') || 'agency',
        )}
        ${textField('nameKo', t(lang, 'admin.field.nameKo'), v('nameKo'), { required: true })}
        ${textField('nameEn', t(lang, 'admin.field.nameEn'), v('nameEn'), { required: true })}
        ${textField('nameJa', t(lang, 'admin.field.nameJa'), v('nameJa'), { required: true })}
        <button type="submit" class="primary">${t(lang, 'admin.orgs.create')}</button>
      </form>
    </section>`;
  return staffPage(m.viewer, t(lang, 'admin.orgs.title'), body, '/admin');
}

export interface OrganisationView {
  viewer: Viewer;
  organisation: Organisation;
  clerks: Clerk[];
  clients: (ApiClient & { redirectUris: string[] })[];
  purposes: Purpose[];
  entitled: Set<string>;
  done: string | undefined;
  error: Refusal;
  typed: Typed;
}

const reasonField = (lang: Lang, id: string) =>
  textField(id, t(lang, 'admin.field.reason'), '', { name: 'reason', required: true });

export function organisationPage(m: OrganisationView): string {
  const { lang } = m.viewer;
  const o = m.organisation;
  const base = `/admin/organisations/${encodeURIComponent(o.id)}`;
  const v = (k: string) => m.typed[k] ?? '';
  const acceptsClerks = o.class === 'agency' || o.class === 'public-institution';
  const body = html`<p><a href="/admin">${t(lang, 'admin.org.back')}</a></p>
    <h1>${o.names[lang]}</h1>
    ${notice(m.done ? t(lang, `admin.done.${m.done}`) : undefined)} ${errorSummary(lang, m.error)}
    <dl class="value-record">
      <dt>${t(lang, 'admin.col.id')}</dt>
      <dd><code>${o.id}</code></dd>
      <dt>${t(lang, 'admin.col.class')}</dt>
      <dd>${t(lang, `class.${o.class}`)}</dd>
      <dt>${t(lang, 'admin.col.status')}</dt>
      <dd>${status(lang, o.status)}</dd>
    </dl>
    <form method="post" action="${base}/status">
      ${csrfField(m.viewer)}
      <input type="hidden" name="to" value="${o.status === 'active' ? 'suspended' : 'active'}" />
      ${reasonField(lang, 'org-reason')}
      <button type="submit">
        ${t(lang, o.status === 'active' ? 'admin.org.suspend' : 'admin.org.reinstate')}
      </button>
    </form>

    <section aria-labelledby="clerks-title">
      <h2 id="clerks-title">${t(lang, 'admin.clerks.title')}</h2>
      ${
        m.clerks.length
          ? html`<div class="table-scroll" role="region" aria-labelledby="clerks-caption" tabindex="0">
              <table>
                <caption id="clerks-caption">
                  ${t(lang, 'admin.clerks.caption', { n: m.clerks.length })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${t(lang, 'admin.col.name')}</th>
                    <th scope="col">${t(lang, 'admin.field.idpSub')}</th>
                    <th scope="col">${t(lang, 'admin.field.idpIssuer')}</th>
                    <th scope="col">${t(lang, 'admin.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${m.clerks.map(
                    (c) =>
                      html`<tr>
                        <td>${c.name}</td>
                        <td><code>${c.idpSub}</code></td>
                        <td><code>${c.idpIssuer}</code></td>
                        <td>${status(lang, c.status)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : html`<p>${t(lang, 'admin.clerks.none')}</p>`
      }
      ${
        acceptsClerks
          ? html`<h3>${t(lang, 'admin.clerks.new')}</h3>
              <form method="post" action="${base}/clerks">
                ${csrfField(m.viewer)}
                ${textField('clerkName', t(lang, 'admin.col.name'), v('clerkName'), { required: true })}
                ${textField('idpSub', t(lang, 'admin.field.idpSub'), v('idpSub'), { hint: t(lang, 'admin.field.idpSubHint'), required: true })}
                ${textField('idpIssuer', t(lang, 'admin.field.idpIssuer'), v('idpIssuer'), { type: 'url', hint: t(lang, 'admin.field.idpIssuerHint'), required: true })}
                <button type="submit" class="primary">${t(lang, 'admin.clerks.add')}</button>
              </form>`
          : html`<p class="hint">${t(lang, 'admin.clerks.notAgency')}</p>`
      }
    </section>

    <section aria-labelledby="clients-title">
      <h2 id="clients-title">${t(lang, 'admin.clients.title')}</h2>
      ${m.clients.length ? clientsTable(m) : html`<p>${t(lang, 'admin.clients.none')}</p>`}
      <h3>${t(lang, 'admin.clients.new')}</h3>
      <form method="post" action="${base}/clients">
        ${csrfField(m.viewer)}
        ${textField('clientName', t(lang, 'admin.col.name'), v('clientName'), { required: true })}
        ${textField('clientId', t(lang, 'admin.field.clientId'), v('clientId'), { hint: t(lang, 'admin.field.clientIdHint') })}
        <div class="field">
          <label for="jwks">${t(lang, 'admin.field.jwks')}</label>
          <p class="hint" id="jwks-hint">${t(lang, 'admin.field.jwksHint')}</p>
          <textarea id="jwks" name="jwks" rows="6" required aria-describedby="jwks-hint">
${v('jwks')}</textarea>
        </div>
        <div class="check-row">
          <input
            type="checkbox"
            id="dpopRequired"
            name="dpopRequired"
            value="yes"
            ${v('dpopRequired') === 'no' ? '' : html`checked`}
          />
          <label for="dpopRequired">${t(lang, 'admin.field.dpop')}</label>
        </div>
        <button type="submit" class="primary">${t(lang, 'admin.clients.add')}</button>
      </form>
    </section>

    <section aria-labelledby="entitlements-title">
      <h2 id="entitlements-title">${t(lang, 'admin.entitlements.title')}</h2>
      <form method="post" action="${base}/purposes">
        ${csrfField(m.viewer)}
        <fieldset>
          <legend>${t(lang, 'admin.entitlements.legend')}</legend>
          <ul class="choices">
            ${m.purposes.map(
              (p, i) =>
                html`<li class="check-row">
                  <input
                    type="checkbox"
                    id="purpose-${i}"
                    name="purposes"
                    value="${p.code}"
                    ${m.entitled.has(p.code) ? html`checked` : ''}
                  />
                  <label for="purpose-${i}">${p.names[lang]} <code>${p.code}</code></label>
                </li>`,
            )}
          </ul>
        </fieldset>
        <button type="submit" class="primary">${t(lang, 'admin.entitlements.save')}</button>
      </form>
    </section>`;
  return staffPage(m.viewer, o.names[lang], body, '');
}

function clientsTable(m: OrganisationView) {
  const { lang } = m.viewer;
  return html`<div class="table-scroll" role="region" aria-labelledby="clients-caption" tabindex="0">
    <table>
      <caption id="clients-caption">
        ${t(lang, 'admin.clients.caption', { n: m.clients.length })}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t(lang, 'admin.col.name')}</th>
          <th scope="col">${t(lang, 'admin.field.clientId')}</th>
          <th scope="col">${t(lang, 'admin.col.keys')}</th>
          <th scope="col">${t(lang, 'admin.col.dpop')}</th>
          <th scope="col">${t(lang, 'admin.col.redirects')}</th>
          <th scope="col">${t(lang, 'admin.col.status')}</th>
          <th scope="col">${t(lang, 'admin.col.action')}</th>
        </tr>
      </thead>
      <tbody>
        ${m.clients.map(
          (c, i) =>
            html`<tr>
              <td>${c.name}</td>
              <td><code>${c.id}</code></td>
              <td>
                ${c.jwks.keys.map((k) => html`<code>${String(k.kid ?? '')} ${String(k.kty ?? '')} ${String(k.crv ?? k.alg ?? '')}</code><br />`)}
              </td>
              <td>${t(lang, c.dpopRequired ? 'admin.dpop.required' : 'admin.dpop.optional')}</td>
              <td>
                ${c.redirectUris.length ? c.redirectUris.map((u) => html`<code>${u}</code><br />`) : t(lang, 'admin.redirects.none')}
              </td>
              <td>${status(lang, c.status)}</td>
              <td>
                <form method="post" action="/admin/clients/${encodeURIComponent(c.id)}/status">
                  ${csrfField(m.viewer)}
                  <input type="hidden" name="orgId" value="${m.organisation.id}" />
                  <input type="hidden" name="to" value="${c.status === 'active' ? 'suspended' : 'active'}" />
                  ${reasonField(lang, `client-reason-${i}`)}
                  <button type="submit">
                    ${t(lang, c.status === 'active' ? 'admin.client.suspend' : 'admin.client.reinstate')}
                  </button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
