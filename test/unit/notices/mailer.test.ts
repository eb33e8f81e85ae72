import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createSmtpMailer, isPermanent, PermanentMailError } from '../../../server/notices/mailer.js';

describe('SMTP mailer', () => {
  it('tells refusals for good (5xx to the recipient or the message) from ones worth retrying', () => {
    const cases: [object, boolean][] = [
      [{ responseCode: 550, command: 'RCPT TO' }, true],
      [{ responseCode: 554, command: 'DATA' }, true],
      [{ responseCode: 451, command: 'DATA' }, false],
      [{ responseCode: 421, command: 'RCPT TO' }, false],
      // The relay's own set-up: an operator fixes it, the notices wait.
      [{ responseCode: 535, command: 'AUTH PLAIN' }, false],
      [{ responseCode: 553, command: 'MAIL FROM' }, false],
      [{ code: 'ECONNREFUSED', command: 'CONN' }, false],
    ];
    for (const [err, permanent] of cases) expect(isPermanent(err), JSON.stringify(err)).to.equal(permanent);
  });

  it('gives up on a relay that never greets within the greeting timeout, as a failure to retry', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const mailer = createSmtpMailer({
      smtp: { url: `smtp://127.0.0.1:${port}` },
      from: 'Test <no-reply@test.example>',
      timeouts: { connectionMs: 300, greetingMs: 300, socketMs: 300 },
    });
    const started = Date.now();
    try {
      const error = await mailer
        .send({ to: 'a@example.com', subject: 's', text: 't', language: 'ko', messageId: '<m@test.example>' })
        .then(
          () => undefined,
          (err: Error) => err,
        );
      expect(error).to.be.instanceOf(Error);
      expect(error).not.to.be.instanceOf(PermanentMailError);
      expect(Date.now() - started).to.be.below(3_000);
    } finally {
      mailer.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
