// `npm start` in development with no mail relay: the service starts the local mail sink, prints its URL,
// sends e-mail notices to it, and the page at that URL shows them (what a newcomer sees).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startService, type RunningService } from '../../../server/boot.js';
import { loadConfig } from '../../../server/config.js';
import { createLogger } from '../../../server/http/logger.js';
import { LogCapture } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';

describe('dev mail sink under npm start (development, no relay)', function () {
  this.timeout(60_000);
  let running: RunningService | undefined;
  const dirs: string[] = [];

  after(async () => {
    await running?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the sink’s URL and shows the notices sent to it', async () => {
    const database = await freshDatabase();
    const keyDir = mkdtempSync(join(tmpdir(), 'juc-sink-keys-'));
    const devDir = mkdtempSync(join(tmpdir(), 'juc-sink-dev-'));
    dirs.push(keyDir, devDir);
    const config = loadConfig({
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: '0',
      KEY_STORE_DIR: keyDir,
      DEV_DATA_DIR: devDir,
      SEED_DEMO_DATA: 'false',
      DEV_WITNESSES: '0',
    });
    running = await startService(config, createLogger('warn', new LogCapture()));
    const line = running.identityLines.find((l) => l.includes('Mail (dev)'));
    expect(line).to.match(/^ {2}Mail \(dev\) {6}http:\/\/127\.0\.0\.1:\d+\/ /);
    const web = /http:\/\/127\.0\.0\.1:\d+\//.exec(line!)![0];

    // An outbox row as the notifier writes it for a citizen who never chose a language.
    await database.db('notification_event').insert({
      subject_key: 'a'.repeat(64),
      log_idx: 0,
      channel: 'email',
      target: 'newcomer@example.com',
      payload: JSON.stringify({
        type: 'access',
        logIndex: 0,
        subjectSeq: 1,
        at: '2026-12-07T09:00:00.000Z',
        organisation: 'org-unknown',
        clerkRef: null,
        purpose: '',
        recordType: 'resident.registration-abstract',
        outcome: 'denied',
        reasonCode: 'consent_revoked',
        fields: [],
        embargoUntil: null,
      }),
      next_attempt_at: new Date(),
    });
    let messages: { to: string; subject: string; envelopeTo: string[] }[] = [];
    for (let i = 0; i < 100 && messages.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      messages = (await (await fetch(`${web}messages.json`)).json()) as typeof messages;
    }
    expect(messages).to.have.length(1);
    expect(messages[0]).to.deep.include({
      to: 'newcomer@example.com',
      envelopeTo: ['newcomer@example.com'],
      subject: '회원님의 기록에 대한 요청이 거부되었습니다: 주민등록표 등본',
    });
    const page = await (await fetch(web)).text();
    expect(page).to.contain('회원님의 기록에 대한 요청이 거부되었습니다: 주민등록표 등본');
    const row = await database.db('notification_event').where({ target: 'newcomer@example.com' }).first();
    expect(row.status).to.equal('delivered');
  });
});
