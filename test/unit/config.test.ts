import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEV_SUBJECT_PEPPER, loadConfig, variables } from '../../server/config.js';

const PRODUCTION_AUDIT = {
  SUBJECT_PEPPER: 'a-production-secret-of-at-least-32-characters',
  AUDIT_LOG_ORIGIN: 'joint-use.example.go.kr/audit/v1',
  POLICY_PAIRWISE_KEY: 'a-production-pairwise-key-of-at-least-32-characters',
};

describe('config', () => {
  it('starts with safe defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).to.include({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      bodyLimitBytes: 102400,
    });
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.validateResponses).to.equal(true);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('lists every bad variable in one message with how to fix it', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', BODY_LIMIT_BYTES: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).to.have.length(4);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'BODY_LIMIT_BYTES'])
      expect(message).to.contain(name);
    expect(message).to.contain('one of fatal, error, warn, info, debug, trace, silent');
    expect(message).to.contain('.env.example');
  });

  it('reads secrets from *_FILE variables and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-config-'));
    const file = join(dir, 'db-url');
    writeFileSync(file, 'postgres://app:pw@db:5432/juc\n');
    expect(loadConfig({ DATABASE_URL_FILE: file }).databaseUrl).to.equal('postgres://app:pw@db:5432/juc');
    expect(() => loadConfig({ DATABASE_URL_FILE: file, DATABASE_URL: 'postgres://x' })).to.throw(
      ConfigError,
      /both set/,
    );
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, 'missing') })).to.throw(ConfigError, /ENOENT/);
  });

  it('requires a real database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /DATABASE_URL is required/);
    expect(
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', ...PRODUCTION_AUDIT })
        .validateResponses,
    ).to.equal(true);
  });

  it('requires a subject pepper and a log origin in production, and refuses the development pepper', () => {
    const base = { NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c' };
    expect(() => loadConfig(base)).to.throw(ConfigError, /SUBJECT_PEPPER is required[\s\S]*AUDIT_LOG_ORIGIN/);
    expect(() => loadConfig({ ...base, ...PRODUCTION_AUDIT, SUBJECT_PEPPER: DEV_SUBJECT_PEPPER })).to.throw(
      ConfigError,
      /SUBJECT_PEPPER/,
    );
    expect(() => loadConfig({ ...base, ...PRODUCTION_AUDIT, SUBJECT_PEPPER: 'short' })).to.throw(
      ConfigError,
      /SUBJECT_PEPPER/,
    );
    expect(loadConfig({ ...base, ...PRODUCTION_AUDIT }).subjectPepper).to.equal(
      PRODUCTION_AUDIT.SUBJECT_PEPPER,
    );
  });

  it('documents every variable in .env.example and nothing else', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).to.deep.equal(Object.keys(variables).sort());
    // Every sample value must itself be valid.
    const env = Object.fromEntries(
      [...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(() => loadConfig(env)).not.to.throw();
  });
});
