// The portal's browser script, bundled with the access-log verifier (server/portal/portal.assets.ts) and
// served from /assets/portal/portal.js. Two progressive enhancements, both optional:
//  1. Confirmation dialogs for consent actions (without the script, the server shows a confirm page).
//  2. The integrity check of the access history: fetches the same page of /v1/me/access-log with its
//     proofs, verifies everything with WebCrypto against the witness policy pinned into this bundle
//     (log key, witness keys, k-of-n quorum; WITNESS_POLICY_FILE), and marks each entry. Only a
//     deployment without a pinned policy falls back to the published log key (GET /v1/log/key).
import { verifyAccessLogPage, type AccessLogPageInput } from '../../audit/access-log-verifier.js';
import { parsePolicy, type WitnessPolicy } from '../../audit/witness-policy.js';

/** Replaced by esbuild's define with the policy text when the bundle is built (portal.assets.ts). */
declare const __JUC_PINNED_POLICY__: string;

const CHECKPOINT_STORE = 'juc.portal.checkpoint';
const KEY_STORE = 'juc.portal.logKey';
const MAX_ROUNDS = 15;
const RETRY_MS = 1_500;

function setupConfirmations(): void {
  const forms = document.querySelectorAll<HTMLFormElement>('form[data-confirm-title]');
  if (!forms.length || typeof HTMLDialogElement === 'undefined') return;
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-dialog-title');
  dialog.setAttribute('aria-describedby', 'confirm-dialog-text');
  const title = document.createElement('h2');
  title.id = 'confirm-dialog-title';
  const text = document.createElement('p');
  text.id = 'confirm-dialog-text';
  const actions = document.createElement('div');
  actions.className = 'actions';
  const yes = document.createElement('button');
  yes.type = 'button';
  const no = document.createElement('button');
  no.type = 'button';
  no.className = 'secondary';
  actions.append(yes, no);
  dialog.append(title, text, actions);
  document.body.append(dialog);

  let pending: { form: HTMLFormElement; opener: HTMLElement | null } | undefined;
  no.addEventListener('click', () => dialog.close('cancel'));
  dialog.addEventListener('close', () => {
    const was = pending;
    pending = undefined;
    if (dialog.returnValue === 'confirm' && was) {
      const confirmed = document.createElement('input');
      confirmed.type = 'hidden';
      confirmed.name = 'confirm';
      confirmed.value = 'yes';
      was.form.append(confirmed);
      was.form.submit();
      return;
    }
    was?.opener?.focus();
  });
  yes.addEventListener('click', () => dialog.close('confirm'));

  forms.forEach((form) => {
    form.addEventListener('submit', (event: SubmitEvent) => {
      if (form.querySelector('input[name="confirm"]')) return;
      event.preventDefault();
      const d = form.dataset;
      title.textContent = d.confirmTitle ?? '';
      text.textContent = d.confirmText ?? '';
      yes.textContent = d.confirmYes ?? 'OK';
      yes.className = d.confirmDanger === 'true' ? 'danger' : 'primary';
      no.textContent = d.confirmCancel ?? 'Cancel';
      pending = {
        form,
        opener: document.activeElement instanceof HTMLElement ? document.activeElement : null,
      };
      dialog.returnValue = '';
      dialog.showModal();
      no.focus();
    });
  });
}

type Status = 'checking' | 'verified' | 'pending' | 'failed' | 'unavailable';

function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function checkpointSize(note: string): number | undefined {
  const size = Number(note.split('\n')[1]);
  return Number.isSafeInteger(size) && size > 0 ? size : undefined;
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

async function setupVerification(): Promise<void> {
  const section = document.getElementById('verify');
  const summary = document.getElementById('verify-summary');
  if (!section || !summary) return;
  const msg = (key: string, params: Record<string, string | number> = {}) =>
    format(section.dataset[key] ?? key, params);
  const badges = new Map<number, HTMLElement>();
  document.querySelectorAll<HTMLElement>('[data-verify-index]').forEach((el) => {
    badges.set(Number(el.dataset.verifyIndex), el);
  });
  const setBadge = (el: HTMLElement, status: Status, detail?: string) => {
    el.dataset.verifyStatus = status;
    const label = el.querySelector('.verify-text');
    if (label)
      label.textContent =
        msg(`msg${status[0]!.toUpperCase()}${status.slice(1)}`) + (detail ? ` (${detail})` : '');
  };
  const setSummary = (status: Status, textContent: string) => {
    summary.dataset.verifyStatus = status;
    summary.textContent = textContent;
  };
  section.hidden = false;
  for (const el of badges.values()) setBadge(el, 'checking');
  setSummary('checking', msg('msgChecking'));
  if (!badges.size) {
    setSummary('verified', msg('msgNone'));
    return;
  }

  const store = storage();
  let policy: WitnessPolicy | undefined;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      policy ??= __JUC_PINNED_POLICY__ ? parsePolicy(__JUC_PINNED_POLICY__) : undefined;
      let keys: string[];
      let keyNotice = '';
      if (policy) {
        keys = policy.logs.map((l) => l.vkey);
        if (!keys.length) throw new Error('the pinned policy names no log key');
      } else {
        const keyResponse = await fetch('/v1/log/key', { credentials: 'same-origin' });
        if (!keyResponse.ok) throw new Error(`log key: HTTP ${keyResponse.status}`);
        keys = (await keyResponse.text()).split('\n').filter(Boolean);
        if (!keys.length) throw new Error('no published log key');
        const pinned = store?.getItem(KEY_STORE);
        keyNotice = pinned && !keys.includes(pinned) ? ` ${msg('msgKeyChanged')}` : '';
      }
      const trusted = policy ? { policy } : {};

      let previous = store?.getItem(CHECKPOINT_STORE) ?? undefined;
      const api = new URL(section.dataset.verifyApi ?? '/v1/me/access-log', window.location.href);
      const previousSize = previous ? checkpointSize(previous) : undefined;
      if (previousSize) api.searchParams.set('since_size', String(previousSize));
      let response = await fetch(api, {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      if (response.status === 400 && previousSize) {
        // The stored checkpoint is from another log (e.g. a reset development database): start over.
        previous = undefined;
        api.searchParams.delete('since_size');
        response = await fetch(api, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      }
      if (!response.ok) throw new Error(`access log: HTTP ${response.status}`);
      const page = (await response.json()) as AccessLogPageInput;

      let result = await verifyAccessLogPage(page, {
        logKey: keys[0]!,
        ...trusted,
        ...(previous ? { previousCheckpoint: previous } : {}),
      });
      // A checkpoint signed before a key rotation: try the older published keys.
      for (const key of keys.slice(1)) {
        if (
          result.checkpoint !== 'checkpoint_signature_invalid' &&
          result.checkpoint !== 'checkpoint_unsigned'
        )
          break;
        result = await verifyAccessLogPage(page, {
          logKey: key,
          ...trusted,
          ...(previous ? { previousCheckpoint: previous } : {}),
        });
      }

      const statusByIndex = new Map(result.entries.map((e) => [e.index, e.status]));
      let verified = 0;
      let pending = 0;
      let failed = 0;
      for (const [index, el] of badges) {
        const status = statusByIndex.get(index);
        if (status === 'verified') {
          verified++;
          setBadge(el, 'verified');
        } else if (status === 'pending' || status === undefined) {
          pending++;
          setBadge(el, 'pending');
        } else {
          failed++;
          setBadge(el, 'failed', status);
        }
      }
      const broken = result.checkpoint !== 'verified' && result.checkpoint !== 'missing';
      const forked = result.consistency !== 'verified' && result.consistency !== 'not_requested';
      if (failed || broken || forked) {
        const reason = broken ? result.checkpoint : forked ? result.consistency : '';
        setSummary(
          'failed',
          msg('msgSomeFailed', { failed: failed || badges.size }) +
            (reason ? ` (${reason})` : '') +
            keyNotice,
        );
        return;
      }
      if (pending) {
        setSummary('pending', msg('msgSomePending', { n: verified, pending }) + keyNotice);
        if (round < MAX_ROUNDS) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        return;
      }
      setSummary(
        'verified',
        msg('msgAllVerified', { n: verified, size: result.checkpointSize ?? page.treeSize }) + keyNotice,
      );
      if (page.checkpoint) store?.setItem(CHECKPOINT_STORE, page.checkpoint);
      store?.setItem(KEY_STORE, keys[0]!);
      return;
    } catch (err) {
      setSummary('unavailable', msg('msgUnavailable', { reason: (err as Error).message || String(err) }));
      for (const el of badges.values()) if (el.dataset.verifyStatus === 'checking') setBadge(el, 'pending');
      return;
    }
  }
}

function main(): void {
  setupConfirmations();
  void setupVerification();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
