/**
 * The landing page at / : what the Joint-Use Center is, and the ways in — the clerk console, the citizen
 * portal and the API docs — in Korean, English and Japanese.
 */
import { Router } from 'express';
import { html } from './html.js';
import { chooseLang, defineMessages, t } from './i18n.js';
import { layout } from './layout.js';

defineMessages({
  ko: {
    'landing.title': '본인 동의에 따라, 필요할 때 바로 확인하는 공공기록',
    'landing.lead':
      '국민이 종이 증명서를 들고 이 기관 저 기관을 오갈 필요가 없어야 합니다. 행정기관·공공기관·은행이 공동이용센터에 요청하면, 센터는 기록을 보유한 기관에서 그때그때 기록을 가져와 요청 기관이 목적에 따라 볼 수 있는 항목만 제공하고, 모든 열람을 국민 본인이 다시 확인하고 검증할 수 있는 기록으로 남깁니다.',
    'landing.ways': '이용하기',
    'landing.console': '민원 창구 콘솔',
    'landing.console.text':
      '행정기관 창구 담당 공무원용: 민원 사무를 선택하고 민원인의 식별번호를 입력한 뒤, 그 자리에서 동의를 받아 확인서를 인쇄합니다.',
    'landing.portal': '국민 포털',
    'landing.portal.text':
      '국민용: 누가, 언제, 왜 나의 어떤 기록을 열람했는지 확인하고, 동의를 일시정지하거나 철회하며, 기록의 무결성을 검증합니다.',
    'landing.docs': 'API 문서',
    'landing.docs.text': '은행·공공기관용: 동의 요청, 동의 토큰, 확인 조회에 관한 OpenAPI 명세입니다.',
    'landing.audit': '감사 콘솔',
    'landing.audit.text':
      '감사관용: 대량 수집·심야 대량 열람·반복 거절 징후를 열람 기록까지 따라가 검토하고 사건 메모를 남깁니다.',
    'landing.admin': '관리 콘솔',
    'landing.admin.text':
      '관리자용: 기관, 창구 담당자, 이용 목적, API 클라이언트를 관리하고 불러온 정책을 확인합니다.',
    'landing.how': '이용 절차',
    'landing.how.1': '요청 기관은 정해진 이용 목적 코드에 따라 필요한 기록을 지정해 요청합니다.',
    'landing.how.2':
      '국민 본인이 휴대전화나 서명한 서면 동의서로 동의하거나, 법령이 동의 없이 열람할 수 있도록 정한 경우에만 열람합니다.',
    'landing.how.3': '정책, 동의, 요청이 모두 허용하는 항목만 제공됩니다.',
    'landing.how.4':
      '정보를 제공하기 전에 모든 열람을 추가만 가능하고 검증할 수 있는 기록(로그)에 먼저 남깁니다.',
  },
  en: {
    'landing.title': 'Public records on demand, with the citizen’s consent',
    'landing.lead':
      'Citizens should not carry paper certificates from one office to another. Agencies, public institutions and banks ask the Joint-Use Center; it fetches the record from the registry that holds it, releases only the fields the requester may see for its purpose, and records every access in a log the citizen can read back and verify.',
    'landing.ways': 'Ways in',
    'landing.console': 'Clerk console',
    'landing.console.text':
      'For agency clerks at the counter: choose a procedure, enter the citizen’s identifier, capture consent on the spot and print a verification slip.',
    'landing.portal': 'Citizen portal',
    'landing.portal.text':
      'For citizens: see who read which of your records, when and why; pause or revoke consents; check the log’s integrity.',
    'landing.docs': 'API documentation',
    'landing.docs.text':
      'For banks and public institutions: the OpenAPI contract of consent requests, consent tokens and verification queries.',
    'landing.audit': 'Auditor console',
    'landing.audit.text':
      'For auditors: review harvesting, off-hours bulk access and repeated refusals down to the entries, and keep case notes.',
    'landing.admin': 'Administrator console',
    'landing.admin.text':
      'For administrators: organisations, counter clerks, purposes and API clients, and the loaded policies.',
    'landing.how': 'How it works',
    'landing.how.1': 'The requester asks for named records for a coded purpose.',
    'landing.how.2':
      'The citizen consents on their own phone, on a signed form, or the law allows access without consent.',
    'landing.how.3': 'Only the fields the policy, the consent and the request all allow are released.',
    'landing.how.4': 'Every access is written to an append-only, verifiable log before any data leaves.',
  },
  ja: {
    'landing.title': '本人の同意にもとづき、必要なときに公的記録を',
    'landing.lead':
      '住民が紙の証明書を窓口から窓口へ持ち歩く必要はありません。行政機関・公共機関・銀行は共同利用センターに照会し、センターは記録を保有する登録機関からその都度取得して、照会者が目的に応じて閲覧できる項目だけを提供し、すべての照会を本人が確認・検証できる記録に残します。',
    'landing.ways': '入口',
    'landing.console': '窓口コンソール',
    'landing.console.text':
      '窓口の職員向け：手続を選び、本人の番号を入力し、その場で同意を得て、確認票を印刷できます。',
    'landing.portal': '住民ポータル',
    'landing.portal.text':
      '住民向け：誰が、いつ、なぜ、どの記録を閲覧したかを確認し、同意の一時停止や撤回、記録の完全性の確認ができます。',
    'landing.docs': 'APIドキュメント',
    'landing.docs.text': '銀行・公共機関向け：同意の依頼、同意トークン、照会のOpenAPI仕様です。',
    'landing.audit': '監査コンソール',
    'landing.audit.text':
      '監査担当者向け：大量収集・深夜の大量閲覧・繰り返しの拒否を閲覧記録までたどって確認し、事案メモを残します。',
    'landing.admin': '管理コンソール',
    'landing.admin.text':
      '管理者向け：機関、窓口職員、利用目的、APIクライアントを管理し、読み込まれたポリシーを確認します。',
    'landing.how': 'しくみ',
    'landing.how.1': '照会者は、コード化された目的のために特定の記録を求めます。',
    'landing.how.2': '本人が自分のスマートフォンや署名した書面で同意するか、法令が同意なしの閲覧を認めます。',
    'landing.how.3': 'ポリシー・同意・依頼のすべてが認める項目だけが提供されます。',
    'landing.how.4': 'データを渡す前に、すべての照会が追記専用で検証可能な記録に書き込まれます。',
  },
});

export function landingRouter(): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const lang = chooseLang(req, res);
    const card = (href: string, key: string) =>
      html`<li class="card">
        <h3><a href="${href}">${t(lang, key)}</a></h3>
        <p>${t(lang, `${key}.text`)}</p>
      </li>`;
    res.set('Cache-Control', 'no-store');
    res.type('html').send(
      layout({
        lang,
        path: '/',
        title: t(lang, 'landing.title'),
        styles: ['console.css'],
        body: html`<h1>${t(lang, 'landing.title')}</h1>
          <p class="lead">${t(lang, 'landing.lead')}</p>
          <section aria-labelledby="ways-title">
            <h2 id="ways-title">${t(lang, 'landing.ways')}</h2>
            <ul class="cards">
              ${card('/console', 'landing.console')} ${card('/portal', 'landing.portal')}
              ${card('/docs', 'landing.docs')} ${card('/audit', 'landing.audit')}
              ${card('/admin', 'landing.admin')}
            </ul>
          </section>
          <section aria-labelledby="how-title">
            <h2 id="how-title">${t(lang, 'landing.how')}</h2>
            <ol class="how">
              <li>${t(lang, 'landing.how.1')}</li>
              <li>${t(lang, 'landing.how.2')}</li>
              <li>${t(lang, 'landing.how.3')}</li>
              <li>${t(lang, 'landing.how.4')}</li>
            </ol>
          </section>`,
      }),
    );
  });
  return router;
}
