/**
 * Text of the counter's later additions (issue 20): the waiting page's states, countdown and cancel; the form's
 * mode-bound choices; the idle warning and the kept draft; the slip's verification block; the recent-queries CSV.
 */
import { defineMessages } from '../web/i18n.js';

defineMessages({
  ko: {
    'console.wait.titleActive': '민원인이 승인했습니다',
    'console.wait.titleEnded': '이 요청은 끝났습니다',
    'console.wait.citizen': '민원인',
    'console.wait.purpose': '이용 목적',
    'console.wait.expires': '요청 만료',
    'console.wait.remaining': '남은 시간',
    'console.wait.cancel': '요청 취소',
    'console.wait.cancelHint': '취소하면 민원인이 휴대전화에서 이 요청을 더 이상 승인할 수 없습니다.',
    'console.wait.restart': '처음부터 다시',
    'console.status.WITHDRAWN': '요청을 취소했습니다. 민원인은 이 요청을 더 이상 승인할 수 없습니다.',
    'console.form.factCheckOnly': '예/아니요 확인만 가능',
    'console.form.fullOnly': '예/아니요 확인 없음',
    'console.form.modeHint':
      '선택한 조회 방식으로 조회할 수 없는 기록은 선택할 수 없습니다. 조회 방식을 바꾸면 선택할 수 있습니다.',
    'console.form.objectHint': '{scheme}을(를) 입력해야 하는 기록이라 기본으로 선택되어 있지 않습니다.',
    'console.session.warning':
      '{minutes}분 동안 사용하지 않으면 자동으로 로그아웃됩니다. 입력한 내용은 이 탭에 보관됩니다.',
    'console.session.stay': '계속 사용',
    'console.session.expired':
      '로그인 시간이 만료되었습니다. 입력한 내용은 이 브라우저 탭에 보관되어 있으며, 다시 로그인하면 복원됩니다.',
    'console.session.signInAgain': '다시 로그인',
    'console.draft.restored': '로그인 전에 입력한 내용을 복원했습니다. 확인한 후 계속해 주십시오.',
    'console.signIn.kept': '입력하던 내용은 이 브라우저 탭에 보관되어 있으며, 로그인하면 복원됩니다.',
    'console.result.verifyTitle': '이 확인서의 검증',
    'console.result.verifyText':
      '민원인은 아래 주소에서 로그인하여 이 열람(기록 번호 {entries})을 확인하고 기록이 바뀌지 않았는지 검증할 수 있습니다.',
    'console.result.verifyAt': '검증 주소',
    'console.result.receipt': '기관용 기록 영수증',
    'console.result.nestedMasked': '일부 가림',
    'console.result.nestedFull': '전체(이 목적의 법적 근거)',
    'console.recent.csv': '최근 조회 CSV로 내려받기',
    'console.csv.time': '일시(KST, UTC+9)',
    'console.csv.entry': '기록 번호',
    'console.csv.reason': '거부 사유',
  },
  en: {
    'console.wait.titleActive': 'The citizen approved',
    'console.wait.titleEnded': 'This request has ended',
    'console.wait.citizen': 'Citizen',
    'console.wait.purpose': 'Purpose',
    'console.wait.expires': 'Request expires',
    'console.wait.remaining': 'Time left',
    'console.wait.cancel': 'Cancel the request',
    'console.wait.cancelHint':
      'Once cancelled, the citizen can no longer approve this request on their phone.',
    'console.wait.restart': 'Start again',
    'console.status.WITHDRAWN': 'You cancelled the request. The citizen can no longer approve it.',
    'console.form.factCheckOnly': 'yes/no checks only',
    'console.form.fullOnly': 'no yes/no checks',
    'console.form.modeHint':
      'Records the chosen access cannot read cannot be ticked; change the access to tick them.',
    'console.form.objectHint': 'Not ticked by default: this record needs its {scheme}.',
    'console.session.warning':
      'You will be signed out after {minutes} minutes without activity. What you typed is kept in this tab.',
    'console.session.stay': 'Stay signed in',
    'console.session.expired':
      'Your session has ended. What you typed is kept in this browser tab and comes back when you sign in again.',
    'console.session.signInAgain': 'Sign in again',
    'console.draft.restored': 'What you typed before signing in has been put back. Check it, then continue.',
    'console.signIn.kept':
      'What you were typing is kept in this browser tab and comes back after you sign in.',
    'console.result.verifyTitle': 'Verifying this slip',
    'console.result.verifyText':
      'The citizen can sign in at the address below to see this access (entry no. {entries}) and check that the log was not altered.',
    'console.result.verifyAt': 'Verify at',
    'console.result.receipt': 'Log receipt for the agency',
    'console.result.nestedMasked': 'partly masked',
    'console.result.nestedFull': 'in full (this purpose’s legal basis)',
    'console.recent.csv': 'Download recent queries as CSV',
    'console.csv.time': 'Time (KST, UTC+9)',
    'console.csv.entry': 'Entry no.',
    'console.csv.reason': 'Why refused',
  },
  ja: {
    'console.wait.titleActive': '本人が承認しました',
    'console.wait.titleEnded': 'この依頼は終了しました',
    'console.wait.citizen': '本人',
    'console.wait.purpose': '利用目的',
    'console.wait.expires': '依頼の期限',
    'console.wait.remaining': '残り時間',
    'console.wait.cancel': '依頼を取り消す',
    'console.wait.cancelHint': '取り消すと、本人は携帯電話でこの依頼を承認できなくなります。',
    'console.wait.restart': '最初からやり直す',
    'console.status.WITHDRAWN': '依頼を取り消しました。本人はこの依頼を承認できなくなりました。',
    'console.form.factCheckOnly': 'はい／いいえの確認のみ',
    'console.form.fullOnly': 'はい／いいえの確認なし',
    'console.form.modeHint': '選んだ照会方法で読めない記録は選べません。照会方法を変えると選べます。',
    'console.form.objectHint': '{scheme}の入力が必要な記録のため、最初は選ばれていません。',
    'console.session.warning':
      '{minutes}分間操作がないと自動的にログアウトします。入力した内容はこのタブに保存されます。',
    'console.session.stay': 'ログインを続ける',
    'console.session.expired':
      'ログインの期限が切れました。入力した内容はこのタブに保存されており、再ログインすると戻ります。',
    'console.session.signInAgain': '再ログイン',
    'console.draft.restored': 'ログイン前に入力した内容を戻しました。確認してから続けてください。',
    'console.signIn.kept': '入力中の内容はこのタブに保存されており、ログインすると戻ります。',
    'console.result.verifyTitle': 'この確認書の検証',
    'console.result.verifyText':
      '本人は下記の住所でログインし、この照会（記録番号 {entries}）を確認し、記録が改ざんされていないことを検証できます。',
    'console.result.verifyAt': '検証の住所',
    'console.result.receipt': '機関用の記録の受領証',
    'console.result.nestedMasked': '一部マスク',
    'console.result.nestedFull': '全体（この目的の法的根拠）',
    'console.recent.csv': '最近の照会をCSVでダウンロード',
    'console.csv.time': '日時（KST、UTC+9）',
    'console.csv.entry': '記録番号',
    'console.csv.reason': '拒否の理由',
  },
});
