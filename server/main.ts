/** Process entry: config → database → migrations → app → listen; SIGTERM/SIGINT stop gracefully. */
import { startService } from './boot.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { createLogger } from './http/logger.js';

loadDotEnv();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
const service = await startService(config, logger).catch((err: unknown) => {
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
});

logger.info({ url: service.url }, 'listening');
process.stdout.write(
  [
    '',
    'Joint-Use Center is running:',
    `  Home            ${service.url}/`,
    `  Clerk console   ${service.url}/console`,
    `  Citizen portal  ${service.url}/portal`,
    `  API docs        ${service.url}/docs`,
    `  Readiness       ${service.url}/readyz`,
    `  Metrics         ${service.url}/metrics`,
    `  Sign in         ${service.url}/auth/login?as=citizen  (or as=clerk, as=staff)`,
    ...service.identityLines,
    '',
  ].join('\n') + '\n',
);

let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
