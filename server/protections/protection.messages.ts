/**
 * Words for the `protection_order` reason in the citizen's access history (portal) — the requester
 * never sees them: it got a plain `forbidden`.
 */
import { defineMessages } from '../web/i18n.js';

defineMessages({
  ko: { 'reason.protection_order': '회원님의 열람 제한 신청(보호명령)에 따라 거부되었습니다' },
  en: { 'reason.protection_order': 'your protection order bars this organisation or person' },
  ja: { 'reason.protection_order': 'あなたの閲覧制限(保護命令)により拒否されました' },
});
