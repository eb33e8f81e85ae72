import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://a@b/c',
  SUBJECT_PEPPER: 'a-production-secret-of-at-least-32-characters',
  AUDIT_LOG_ORIGIN: 'joint-use.example.go.kr/audit/v1',
  POLICY_PAIRWISE_KEY: 'a-production-pairwise-key-of-at-least-32-characters',
};

describe('notice settings (EMAIL_NOTICES, SMTP_*, WEBHOOK_ALLOW_PRIVATE)', () => {
  it('outside production: e-mail notices on, no relay (npm start runs the dev sink), webhooks public only', () => {
    expect(loadConfig({}).notices).to.deep.equal({
      email: true,
      smtp: undefined,
      from: '공동이용센터 Joint-Use Center <no-reply@joint-use-center.localhost>',
      maxAttempts: 8,
      webhookAllowPrivate: false,
    });
    expect(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE: 'true' }).notices.webhookAllowPrivate,
    ).to.equal(true);
  });

  it('in production: no relay means no e-mail notices; asking for them without a relay or sender is refused', () => {
    expect(loadConfig(PRODUCTION).notices.email).to.equal(false);
    expect(() => loadConfig({ ...PRODUCTION, EMAIL_NOTICES: 'true' })).to.throw(
      ConfigError,
      /EMAIL_NOTICES=true needs SMTP_URL or SMTP_HOST[\s\S]*SMTP_FROM is required/,
    );
    const withRelay = loadConfig({
      ...PRODUCTION,
      SMTP_URL: 'smtps://notices:pw@mail.example.go.kr:465',
      SMTP_FROM: '공동이용센터 <no-reply@joint-use.example.go.kr>',
    }).notices;
    expect(withRelay).to.deep.include({
      email: true,
      smtp: { url: 'smtps://notices:pw@mail.example.go.kr:465' },
      from: '공동이용센터 <no-reply@joint-use.example.go.kr>',
    });
  });

  it('refuses WEBHOOK_ALLOW_PRIVATE in production', () => {
    expect(() => loadConfig({ ...PRODUCTION, WEBHOOK_ALLOW_PRIVATE: 'true' })).to.throw(
      ConfigError,
      /WEBHOOK_ALLOW_PRIVATE=true is refused when NODE_ENV=production/,
    );
  });

  it('reads the relay as host settings with the password from a file, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-smtp-'));
    try {
      writeFileSync(join(dir, 'pw'), 's3cret\n');
      expect(
        loadConfig({
          SMTP_HOST: 'relay.example.go.kr',
          SMTP_PORT: '2525',
          SMTP_USER: 'notices',
          SMTP_PASSWORD_FILE: join(dir, 'pw'),
        }).notices.smtp,
      ).to.deep.equal({
        host: 'relay.example.go.kr',
        port: 2525,
        secure: false,
        user: 'notices',
        password: 's3cret',
      });
      expect(() => loadConfig({ SMTP_HOST: 'relay.example', SMTP_URL: 'smtp://relay.example' })).to.throw(
        ConfigError,
        /SMTP_URL and SMTP_HOST are both set/,
      );
      expect(() => loadConfig({ SMTP_URL: 'http://relay.example' })).to.throw(ConfigError, /SMTP_URL=/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
