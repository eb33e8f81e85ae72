/** Korean text of the citizen's approval screen (the first language of the pages). */
import { defineMessages } from '../web/i18n.js';

defineMessages({
  ko: {
    'consent.title': '정보 제공 동의 요청',
    'consent.intro': '{org}에서 공동이용센터를 통해 회원님의 공공기록 일부를 열람하고자 동의를 요청합니다.',
    'consent.requester': '요청 기관',
    'consent.purpose': '이용 목적',
    'consent.legalBasis': '법적 근거',
    'consent.records': '제공되는 정보',
    'consent.recordsHint':
      '아래에 표시된 항목만 제공됩니다. “선택” 항목은 체크되어 있으니, 제공하고 싶지 않은 항목은 체크를 해제해 주십시오.',
    'consent.required': '필수',
    'consent.optional': '선택',
    'consent.englishOnly': '영문 표기',
    'consent.terms': '동의 기간과 이용 횟수',
    'consent.duration': '유효기간',
    'consent.durationValue': '동의한 날부터 {days}일',
    'consent.usage': '이용 횟수',
    'consent.usage.once': '1회',
    'consent.usage.limited': '최대 {n}회',
    'consent.usage.periodic':
      '{unit, select, day {1일} week {1주} month {1개월} other {1년}}에 최대 {value}회, 총 {n}회까지',
    'consent.dataRange': '제공 대상 기록의 기간',
    'consent.dataRangeValue': '{from} ~ {to}',
    'consent.retention': '요청 기관의 정보 보유 기간',
    'consent.retentionValue': '{value}{unit, select, day {일} week {주} month {개월} other {년}}',
    'consent.requestExpires': '응답 기한',
    'consent.approve': '동의합니다',
    'consent.refuse': '동의하지 않습니다',
    'consent.decisionHint':
      '동의한 후에도 포털에서 언제든지 일시정지하거나 철회할 수 있습니다. 동의하지 않아도 불이익은 없으며, 종이 증명서를 대신 제출하실 수 있습니다.',
    'consent.status.ACTIVE': '이 요청에 동의하셨습니다.',
    'consent.status.PAUSED': '이 요청에 동의하신 후 일시정지하셨습니다.',
    'consent.status.REJECTED': '이 요청은 거부되었습니다.',
    'consent.status.REVOKED': '이 동의는 철회되었습니다.',
    'consent.status.EXPIRED': '이 요청 또는 동의의 기간이 만료되었습니다.',
    'consent.status.EXHAUSTED': '이 동의의 이용 횟수를 모두 사용했습니다.',
    'consent.status.REQUESTED': '회원님의 응답을 기다리고 있는 요청입니다.',
    'consent.decidedTitle': '응답해 주셔서 감사합니다',
    'consent.approvedMessage': '요청에 동의하셨습니다. {org}에 결과를 알렸습니다.',
    'consent.refusedMessage': '요청을 거부하셨습니다. {org}에 결과를 알렸습니다.',
    'consent.returnTo': '{org}(으)로 돌아가기',
    'consent.notYours': '다른 사람에 대한 요청입니다. 요청서에 적힌 본인만 응답할 수 있습니다.',
    'consent.csrf': '입력 시간이 만료되었습니다. 요청을 다시 열어 주십시오.',
    'consent.conflict': '이 요청에는 더 이상 응답할 수 없습니다.',
  },
});
