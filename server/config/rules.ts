/**
 * Rules that span several variables or depend on NODE_ENV, which a per-variable schema cannot say:
 * what production requires or refuses, and settings that come in groups (PKCS#11, OIDC, SMTP).
 */
import type { Settings } from './settings.js';
import { DEV_POLICY_PAIRWISE_KEY, DEV_SUBJECT_PEPPER, type VariableName } from './variables.js';

/** The sender when SMTP_FROM is unset (outside production only). */
export const DEV_SMTP_FROM = '공동이용센터 Joint-Use Center <no-reply@joint-use-center.localhost>';

/** Checked only once every variable is valid on its own, so each message names the real cause. */
export function crossVariableProblems(s: Settings, given: ReadonlySet<VariableName>): string[] {
  const problems: string[] = [];
  const production = s.NODE_ENV === 'production';
  if (production && !s.DATABASE_URL) {
    problems.push(
      'DATABASE_URL is required when NODE_ENV=production (the embedded PostgreSQL is for development)',
    );
  }
  if (problems.length === 0 && s.KEY_STORE === 'pkcs11') {
    if (!given.has('PKCS11_PIN'))
      problems.push('PKCS11_PIN (or PKCS11_PIN_FILE) is required when KEY_STORE=pkcs11');
    if (given.has('PKCS11_TOKEN_LABEL') === given.has('PKCS11_SLOT')) {
      problems.push('KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL and PKCS11_SLOT');
    }
  }
  if (problems.length === 0 && production) {
    if (!given.has('SUBJECT_PEPPER') || s.SUBJECT_PEPPER === DEV_SUBJECT_PEPPER) {
      problems.push(
        'SUBJECT_PEPPER is required when NODE_ENV=production (a secret of at least 32 characters)',
      );
    }
    if (!given.has('POLICY_PAIRWISE_KEY') || s.POLICY_PAIRWISE_KEY === DEV_POLICY_PAIRWISE_KEY) {
      problems.push(
        'POLICY_PAIRWISE_KEY is required when NODE_ENV=production (a secret of at least 32 characters)',
      );
    }
    if (!given.has('AUDIT_LOG_ORIGIN')) {
      problems.push(
        'AUDIT_LOG_ORIGIN is required when NODE_ENV=production (it names the audit log for good)',
      );
    }
  }
  return problems;
}

/** Checked whatever else is wrong: demo data must never reach a production database. */
export function demoDataProblems(s: Settings): string[] {
  return s.NODE_ENV === 'production' && s.SEED_DEMO_DATA === true
    ? ['SEED_DEMO_DATA=true is refused when NODE_ENV=production (demo data is for development)']
    : [];
}

/** Access notices: e-mail through a relay, webhooks only to public addresses (server/notices). */
export function noticeSettings(s: Settings, problems: string[]) {
  const url = s.SMTP_URL;
  const host = s.SMTP_HOST;
  if (url && host) problems.push('SMTP_URL and SMTP_HOST are both set: keep one');
  if (!host && (s.SMTP_USER || s.SMTP_PASSWORD)) problems.push('SMTP_USER and SMTP_PASSWORD need SMTP_HOST');
  // Frozen in each branch: a union of plain literals would be widened to one shape with `url?: undefined`.
  const smtp = url
    ? Object.freeze({ url })
    : host
      ? Object.freeze({
          host,
          port: s.SMTP_PORT,
          secure: s.SMTP_SECURE,
          ...(s.SMTP_USER ? { user: s.SMTP_USER } : {}),
          ...(s.SMTP_PASSWORD ? { password: s.SMTP_PASSWORD } : {}),
        })
      : undefined;
  const production = s.NODE_ENV === 'production';
  const email = s.EMAIL_NOTICES ?? (!production || smtp !== undefined);
  if (production && email && !smtp) {
    problems.push(
      'EMAIL_NOTICES=true needs SMTP_URL or SMTP_HOST when NODE_ENV=production (or set EMAIL_NOTICES=false)',
    );
  }
  if (production && email && !s.SMTP_FROM) {
    problems.push('SMTP_FROM is required for e-mail notices when NODE_ENV=production');
  }
  if (production && s.WEBHOOK_ALLOW_PRIVATE) {
    problems.push(
      'WEBHOOK_ALLOW_PRIVATE=true is refused when NODE_ENV=production (webhooks reach public addresses only)',
    );
  }
  return Object.freeze({
    email,
    /** undefined: no relay configured (outside production npm start runs a local sink). */
    smtp,
    from: s.SMTP_FROM ?? DEV_SMTP_FROM,
    maxAttempts: s.NOTICE_MAX_ATTEMPTS,
    webhookAllowPrivate: s.WEBHOOK_ALLOW_PRIVATE,
  });
}

/** The OpenID provider for browser sign-in; undefined runs the dev identity provider (not in production). */
export function oidcSettings(s: Settings, problems: string[]) {
  const issuerUrl = s.OIDC_ISSUER_URL;
  const clientId = s.OIDC_CLIENT_ID;
  const clientSecret = s.OIDC_CLIENT_SECRET;
  const privateKeyFile = s.OIDC_CLIENT_PRIVATE_KEY_FILE;
  if (!issuerUrl) {
    if (clientId || clientSecret || privateKeyFile) {
      problems.push(
        'OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_CLIENT_PRIVATE_KEY_FILE need OIDC_ISSUER_URL',
      );
    }
    return undefined;
  }
  if (!clientId) problems.push('OIDC_ISSUER_URL needs OIDC_CLIENT_ID');
  if (Boolean(clientSecret) === Boolean(privateKeyFile)) {
    problems.push('OIDC_ISSUER_URL needs exactly one of OIDC_CLIENT_SECRET and OIDC_CLIENT_PRIVATE_KEY_FILE');
  }
  return Object.freeze({
    issuerUrl,
    clientId: clientId ?? '',
    ...(clientSecret ? { clientSecret } : {}),
    ...(privateKeyFile ? { privateKeyFile } : {}),
  });
}
