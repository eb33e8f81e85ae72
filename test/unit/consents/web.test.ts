import { expect } from 'chai';
import '../../../server/consents/consent.pages.js';
import { html, raw } from '../../../server/web/html.js';
import { messageKeys, t } from '../../../server/web/i18n.js';
import { layout } from '../../../server/web/layout.js';
import { fieldLabel } from '../../../server/web/field-labels.js';
import { testCatalog } from '../../support/app.js';

describe('web pages: escaping, layout and Korean/English/Japanese messages', () => {
  it('escapes every interpolated value unless it is already safe markup', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(html`<p title="${evil}">${evil}</p>`.value).to.equal(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
    const list = html`<ul>
      ${['a', 'b'].map((x) => html`<li>${x}</li>`)}
    </ul>`;
    expect(list.value.replace(/\s+/g, '')).to.equal('<ul><li>a</li><li>b</li></ul>');
    expect(html`${raw('<br>')}${null}${undefined}${false}`.value).to.equal('<br>');
  });

  it('has every English message in Korean and Japanese and no message without an English one', () => {
    expect(messageKeys('ja').sort()).to.deep.equal(messageKeys('en').sort());
    expect(messageKeys('ko').sort()).to.deep.equal(messageKeys('en').sort());
    expect(t('ko', 'consent.usage.limited', { n: 3 })).to.equal('최대 3회');
    expect(t('ja', 'consent.usage.limited', { n: 3 })).to.equal('最大3回');
    expect(t('en', 'consent.intro', { org: 'Hanbit Bank' })).to.contain('Hanbit Bank asks');
  });

  it('renders a page with the language, a skip link, a language switch and only the external stylesheet', () => {
    const page = layout({ lang: 'ja', path: '/consent/x', title: 'テスト', body: html`<p>本文</p>` });
    expect(page).to.match(/^<!doctype html>\n<html lang="ja">/);
    expect(page).to.contain('<a class="skip-link" href="#main">本文へ移動</a>');
    expect(page).to.contain('<a href="/consent/x?lang=en" hreflang="en" lang="en">English</a>');
    expect(page).to.contain('<a href="/consent/x?lang=ko" hreflang="ko" lang="ko">한국어</a>');
    expect(page).to.contain('<span aria-current="true" lang="ja">日本語</span>');
    expect(page).to.contain('<main id="main" tabindex="-1">');
    expect(page).not.to.match(/<script|<style|\sstyle=/);
  });

  it('labels fields in Korean and Japanese where known and falls back to the English description, marked as English', () => {
    const type = testCatalog().get('resident.registration-abstract');
    expect(fieldLabel('ko', type, 'address')).to.deep.equal({ text: '주소', lang: 'ko' });
    expect(fieldLabel('ja', type, 'address')).to.deep.equal({ text: '住所', lang: 'ja' });
    expect(fieldLabel('en', type, 'address')).to.deep.equal({
      text: 'Current registered address of the household',
      lang: 'en',
    });
    expect(fieldLabel('ja', type, 'householdFormedDate').lang).to.equal('ja');
    const tax = testCatalog().get('tax.income-amount-certificate');
    expect(fieldLabel('ja', tax, 'determinedTax')).to.deep.equal({ text: '決定税額', lang: 'ja' });
    expect(fieldLabel('ko', tax, 'noSuchField')).to.deep.equal({ text: 'noSuchField', lang: 'en' });
  });
});
