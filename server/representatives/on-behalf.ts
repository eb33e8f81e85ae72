/**
 * The approval screen's "on behalf of" notice, for a citizen deciding as a representative. Both names
 * are shown, as both are recorded in the consent's history.
 */
import { html, type SafeHtml } from '../web/html.js';
import { defineMessages, t, type Lang } from '../web/i18n.js';
import type { Representation } from './representatives.types.js';

defineMessages({
  ko: {
    'representative.onBehalfOf': '{principal} 님을 대리하여 결정합니다',
    'representative.recorded':
      '근거: {kind}. 이 결정에는 대리인 {representative} 님과 본인 {principal} 님의 이름이 함께 기록되며, 본인이 이력에서 확인할 수 있습니다.',
    'representative.kind.guardian_minor': '미성년자의 법정대리인',
    'representative.kind.guardian_adult': '성년후견인',
    'representative.kind.agent': '법인의 위임을 받은 대리인',
    'representative.kind.delegation': '본인의 위임',
  },
  en: {
    'representative.onBehalfOf': 'You are deciding on behalf of {principal}',
    'representative.recorded':
      'Basis: {kind}. This decision is recorded under both names, {representative} as representative and {principal} as the person concerned, who can see it in their history.',
    'representative.kind.guardian_minor': 'legal guardian of a minor',
    'representative.kind.guardian_adult': 'guardian of an adult under guardianship',
    'representative.kind.agent': 'agent authorised by the company',
    'representative.kind.delegation': 'delegation by the person concerned',
  },
  ja: {
    'representative.onBehalfOf': '{principal} 様の代理として決定します',
    'representative.recorded':
      '根拠: {kind}。この決定は代理人 {representative} 様と本人 {principal} 様の両方の名前で記録され、本人は履歴で確認できます。',
    'representative.kind.guardian_minor': '未成年者の法定代理人',
    'representative.kind.guardian_adult': '成年後見人',
    'representative.kind.agent': '法人から委任された代理人',
    'representative.kind.delegation': '本人による委任',
  },
});

export function onBehalfNotice(lang: Lang, r: Representation): SafeHtml {
  const names = { principal: r.principal.name, representative: r.representative.name };
  return html`<div class="notice" role="note">
    <p><strong>${t(lang, 'representative.onBehalfOf', names)}</strong></p>
    <p>${t(lang, 'representative.recorded', { ...names, kind: t(lang, `representative.kind.${r.kind}`) })}</p>
  </div>`;
}
