/** Words of the grouped access history (issue 20, problem 5), in Korean, English and Japanese. */
import { defineMessages } from '../../web/i18n.js';

defineMessages({
  ko: {
    'history.recordsSeen': '열람한 정보 {n}건',
    'history.releasedCount': '{n, plural, =0 {제공된 항목 없음} other {제공된 항목 #개 보기}}',
    'history.yesNo': '예/아니요로만 제공',
    'history.receipt': '확인 번호 {index}: 공개 감사 기록에서 이 열람을 확인할 때 쓰는 번호입니다.',
    'history.counterClerk': '창구 담당자 (참조 번호 {ref})',
    'history.viaApp': '기관의 앱 또는 온라인 서비스를 통해',
    'history.filtersToggle': '기간·기관·정보 종류로 찾기',
    'history.aboutToggle': '이 기록에 대하여',
    'history.introShort': '누가 언제 왜 회원님의 정보를 열람했는지 보여 드립니다. 최근 순입니다.',
  },
  en: {
    'history.recordsSeen': '{n, plural, one {# record seen} other {# records seen}}',
    'history.releasedCount':
      '{n, plural, =0 {Nothing was released} one {Show the # item released} other {Show the # items released}}',
    'history.yesNo': 'yes/no answer only',
    'history.receipt': 'Receipt no. {index}: the number that finds this access in the public audit log.',
    'history.counterClerk': 'Counter clerk (reference {ref})',
    'history.viaApp': 'Through their app or online service',
    'history.filtersToggle': 'Search by period, organisation or record',
    'history.aboutToggle': 'About this record',
    'history.introShort': 'Who looked at your records, when and why. Newest first.',
  },
  ja: {
    'history.recordsSeen': '確認された情報 {n}件',
    'history.releasedCount': '{n, plural, =0 {提供された項目なし} other {提供された#項目を見る}}',
    'history.yesNo': 'はい／いいえのみ',
    'history.receipt': '確認番号 {index}：公開監査ログでこの閲覧を確かめるための番号です。',
    'history.counterClerk': '窓口担当者（参照番号 {ref}）',
    'history.viaApp': '機関のアプリまたはオンラインサービス経由',
    'history.filtersToggle': '期間・機関・情報の種類で探す',
    'history.aboutToggle': 'この記録について',
    'history.introShort': '誰が、いつ、なぜあなたの記録を見たかを新しい順に示します。',
  },
});
