/**
 * The HTML error page a person sees in a browser (issue 20, problem 3): the same failure the API answers as
 * problem+json (server/http/problem.ts maps both), in the page's language, with a next step: sign in again
 * after an expired session, go back to the portal, the counter or the home page. A pure view: error facts in,
 * escaped HTML out. Which requests get it is `wantsErrorPage` (browsers, never the API paths).
 */
import type { Request } from 'express';
import { html, type SafeHtml } from './html.js';
import { defineMessages, t, type Lang } from './i18n.js';
import { layout } from './layout.js';

/** Paths of the machine API: always problem+json, whatever the Accept header says. */
const API_PATHS = /^\/(v1|audit\/v1|\.well-known|healthz|readyz|metrics|oauth|oidc)(\/|$)/;

/** A browser asking for a page (Accept prefers text/html) outside the API paths. */
export function wantsErrorPage(req: Request): boolean {
  if (API_PATHS.test(req.path)) return false;
  return req.accepts(['application/problem+json', 'application/json', 'text/html']) === 'text/html';
}

export type ErrorPageKind = 'notFound' | 'forbidden' | 'expired' | 'invalid' | 'busy' | 'internal';

export function errorPageKind(status: number): ErrorPageKind {
  if (status === 404 || status === 405) return 'notFound';
  if (status === 401) return 'expired';
  if (status === 403) return 'forbidden';
  if (status === 429 || status === 503) return 'busy';
  if (status >= 500) return 'internal';
  return 'invalid';
}

/** Where the person was: the area decides the sign-in kind and the "back to" link. */
type Area = 'portal' | 'console' | 'staff' | 'public';

function areaOf(path: string): Area {
  if (/^\/(portal|consent)(\/|$)/.test(path)) return 'portal';
  if (/^\/console(\/|$)/.test(path)) return 'console';
  if (/^\/(audit|admin)(\/|$)/.test(path)) return 'staff';
  return 'public';
}

const SIGN_IN_AS: Record<Area, string> = {
  portal: 'citizen',
  console: 'clerk',
  staff: 'staff',
  public: 'citizen',
};
const AREA_HOME: Record<Exclude<Area, 'public'>, string> = {
  portal: '/portal',
  console: '/console',
  staff: '/audit',
};

export interface ErrorPageModel {
  lang: Lang;
  status: number;
  /** The request path (no query), for the language switch, the sign-in return and the area links. */
  path: string;
  requestId?: string | undefined;
}

function nextSteps(model: ErrorPageModel, kind: ErrorPageKind): SafeHtml {
  const { lang, path } = model;
  const area = areaOf(path);
  const links: SafeHtml[] = [];
  if (kind === 'expired') {
    const signIn = `/auth/login?as=${SIGN_IN_AS[area]}&return_to=${encodeURIComponent(path)}`;
    links.push(html`<li><a class="button primary" href="${signIn}">${t(lang, 'errorPage.signIn')}</a></li>`);
  }
  if (area !== 'public') {
    links.push(html`<li><a href="${AREA_HOME[area]}">${t(lang, `errorPage.back.${area}`)}</a></li>`);
  }
  links.push(html`<li><a href="/">${t(lang, 'errorPage.home')}</a></li>`);
  return html`<ul class="next-steps" aria-label="${t(lang, 'errorPage.next')}">
    ${links}
  </ul>`;
}

/** The whole error page (status, explanation, next steps, the reference to quote to the help desk). */
export function errorPageView(model: ErrorPageModel): string {
  const { lang } = model;
  const kind = errorPageKind(model.status);
  const title = t(lang, `errorPage.${kind}.title`);
  return layout({
    lang,
    path: model.path,
    title,
    body: html`<section class="error-page" data-error-status="${model.status}">
      <h1>${title}</h1>
      <p>${t(lang, `errorPage.${kind}.text`)}</p>
      ${nextSteps(model, kind)}
      ${
        model.requestId
          ? html`<p class="hint">${t(lang, 'errorPage.reference')} <code>${model.requestId}</code></p>`
          : ''
      }
    </section>`,
  });
}

defineMessages({
  ko: {
    'errorPage.notFound.title': '페이지를 찾을 수 없습니다',
    'errorPage.notFound.text':
      '주소가 잘못되었거나 페이지가 더 이상 없습니다. 주소를 확인하시거나 아래 링크로 이동해 주십시오.',
    'errorPage.forbidden.title': '열람 권한이 없습니다',
    'errorPage.forbidden.text':
      '이 페이지는 지금 로그인한 계정으로 열 수 없습니다. 다른 계정으로 로그인하거나 아래 링크로 이동해 주십시오.',
    'errorPage.expired.title': '로그인이 만료되었습니다',
    'errorPage.expired.text':
      '보안을 위해 일정 시간 사용하지 않으면 로그아웃됩니다. 다시 로그인하면 이 페이지로 돌아옵니다.',
    'errorPage.invalid.title': '요청을 처리할 수 없습니다',
    'errorPage.invalid.text': '보내신 내용에 문제가 있습니다. 이전 페이지로 돌아가 다시 시도해 주십시오.',
    'errorPage.busy.title': '잠시 후 다시 시도해 주십시오',
    'errorPage.busy.text': '지금 요청이 많거나 서비스를 점검하고 있습니다. 잠시 후 다시 시도해 주십시오.',
    'errorPage.internal.title': '시스템 오류가 발생했습니다',
    'errorPage.internal.text':
      '저희 쪽 문제로 요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주십시오. 문제가 계속되면 아래 참조 번호를 알려 주십시오.',
    'errorPage.signIn': '다시 로그인',
    'errorPage.back.portal': '내 정보 이용 내역(포털)으로',
    'errorPage.back.console': '창구 화면으로',
    'errorPage.back.staff': '감사 화면으로',
    'errorPage.home': '첫 화면으로',
    'errorPage.next': '다음 단계',
    'errorPage.reference': '참조 번호:',
  },
  en: {
    'errorPage.notFound.title': 'Page not found',
    'errorPage.notFound.text':
      'The address is wrong or the page no longer exists. Check the address or use a link below.',
    'errorPage.forbidden.title': 'You may not open this page',
    'errorPage.forbidden.text':
      'The account you are signed in with cannot open this page. Sign in with another account or use a link below.',
    'errorPage.expired.title': 'Your session has ended',
    'errorPage.expired.text':
      'For your security you are signed out after a while without activity. Sign in again to come back to this page.',
    'errorPage.invalid.title': 'The request could not be handled',
    'errorPage.invalid.text':
      'Something in what was sent is not right. Go back to the previous page and try again.',
    'errorPage.busy.title': 'Please try again in a moment',
    'errorPage.busy.text': 'The service is busy or being maintained. Please try again in a moment.',
    'errorPage.internal.title': 'Something went wrong on our side',
    'errorPage.internal.text':
      'We could not handle the request. Please try again in a moment; if it keeps happening, quote the reference below.',
    'errorPage.signIn': 'Sign in again',
    'errorPage.back.portal': 'Back to your portal',
    'errorPage.back.console': 'Back to the counter',
    'errorPage.back.staff': 'Back to the audit console',
    'errorPage.home': 'Home page',
    'errorPage.next': 'Next steps',
    'errorPage.reference': 'Reference:',
  },
  ja: {
    'errorPage.notFound.title': 'ページが見つかりません',
    'errorPage.notFound.text':
      'アドレスが間違っているか、ページがなくなりました。アドレスを確認するか、下のリンクをお使いください。',
    'errorPage.forbidden.title': 'このページを開く権限がありません',
    'errorPage.forbidden.text':
      'ログイン中のアカウントではこのページを開けません。別のアカウントでログインするか、下のリンクをお使いください。',
    'errorPage.expired.title': 'ログインの有効期限が切れました',
    'errorPage.expired.text':
      '安全のため、しばらく操作がないとログアウトされます。もう一度ログインするとこのページに戻ります。',
    'errorPage.invalid.title': 'リクエストを処理できません',
    'errorPage.invalid.text': '送信された内容に問題があります。前のページに戻ってもう一度お試しください。',
    'errorPage.busy.title': 'しばらくしてからもう一度お試しください',
    'errorPage.busy.text':
      'サービスが混み合っているか、メンテナンス中です。しばらくしてからもう一度お試しください。',
    'errorPage.internal.title': 'システムエラーが発生しました',
    'errorPage.internal.text':
      'こちらの問題でリクエストを処理できませんでした。しばらくしてからもう一度お試しください。続く場合は下の参照番号をお知らせください。',
    'errorPage.signIn': 'もう一度ログイン',
    'errorPage.back.portal': 'ポータルに戻る',
    'errorPage.back.console': '窓口画面に戻る',
    'errorPage.back.staff': '監査画面に戻る',
    'errorPage.home': 'トップページ',
    'errorPage.next': '次の操作',
    'errorPage.reference': '参照番号：',
  },
});
