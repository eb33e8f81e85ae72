/** What the citizen reads about one notice's delivery (portal "Notifications"), in their language. */
import type { NotificationEvent } from '../portal/portal.repo.js';
import { formatDateTime, t, type Lang } from '../web/i18n.js';

export function noticeStatusText(
  lang: Lang,
  n: Pick<NotificationEvent, 'status' | 'attempts' | 'nextAttemptAt'>,
): string {
  switch (n.status) {
    case 'delivered':
      return t(lang, 'notify.status.delivered');
    case 'dead':
      return t(lang, 'notify.status.failed');
    case 'sending':
      return t(lang, 'notify.status.sending');
    default:
      // A pending row never tried is waiting (for its embargo, or its first turn); one tried has failed.
      return n.attempts > 0
        ? t(lang, 'notify.status.retrying', {
            attempt: n.attempts + 1,
            time: formatDateTime(lang, n.nextAttemptAt),
          })
        : t(lang, 'notify.status.pending');
  }
}
