/** Text of the sign-in pages (the signed-out page), Korean first. */
import { defineMessages } from '../web/i18n.js';

defineMessages({
  ko: {
    'signedOut.title': '로그아웃되었습니다',
    'signedOut.idp': '본인인증 기관에서도 로그아웃하기',
    'signedOut.home': '첫 화면으로',
  },
  en: {
    'signedOut.title': 'You are signed out',
    'signedOut.idp': 'Also sign out at the identity provider',
    'signedOut.home': 'Home',
  },
  ja: {
    'signedOut.title': 'ログアウトしました',
    'signedOut.idp': '本人認証機関からもログアウトする',
    'signedOut.home': 'トップページへ',
  },
});
