/**
 * The counter form's separate-agreement box (PIPA arts. 23 and 24; server/consents/separate-consent.ts).
 * With an attested paper form, the clerk ticks it only when the signed form also carries the
 * citizen's separate agreement to sensitive information and unique identifiers; unticked, a query
 * that would release such an item is refused (`separate_consent_required`). A statutory basis needs
 * no box: the law that permits the access covers them.
 */
import { html, raw, type SafeHtml } from '../web/html.js';
import { defineMessages, t, type Lang } from '../web/i18n.js';

defineMessages({
  ko: {
    'console.form.separateAgreement':
      '서면 동의서에 민감정보·고유식별정보에 대한 별도 동의(「개인정보 보호법」 제23조·제24조)가 표시되어 있습니다.',
    'console.form.separateAgreementHint':
      '건강·장애 정보나 주민등록번호 등은 민원인이 서면 동의서의 별도 동의란에 따로 서명한 경우에만 체크하십시오.',
    'console.reason.separate_consent_required':
      '민감정보 또는 고유식별정보에 대한 별도 동의가 없어 거부되었습니다.',
  },
  en: {
    'console.form.separateAgreement':
      'The signed form also carries the separate agreement to sensitive information and unique identifiers (PIPA arts. 23, 24).',
    'console.form.separateAgreementHint':
      'Tick only if the citizen signed the separate agreement box on the form: health or disability information, resident registration numbers and the like need it.',
    'console.reason.separate_consent_required':
      'Refused: sensitive information or unique identifiers need the citizen’s separate agreement.',
  },
  ja: {
    'console.form.separateAgreement':
      '署名済み同意書に、要配慮情報・固有識別情報についての個別の同意（個人情報保護法第23条・第24条）も記載されています。',
    'console.form.separateAgreementHint':
      '健康・障害の情報や住民登録番号などは、本人が同意書の個別同意欄に署名した場合にのみチェックしてください。',
    'console.reason.separate_consent_required':
      '要配慮情報または固有識別情報についての個別の同意がないため拒否されました。',
  },
});

/** The box, under the paper form's reference number. */
export function separateAgreementBox(lang: Lang, ticked: boolean): SafeHtml {
  return html`<div class="field nested">
    <p class="hint" id="separateAgreement-hint">${t(lang, 'console.form.separateAgreementHint')}</p>
    <label for="separateAgreement">
      <input
        type="checkbox"
        id="separateAgreement"
        name="separateAgreement"
        value="yes"
        aria-describedby="separateAgreement-hint"
        ${raw(ticked ? 'checked' : '')}
      />
      ${t(lang, 'console.form.separateAgreement')}
    </label>
  </div>`;
}
