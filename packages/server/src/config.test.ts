import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('fills defaults: port 8080, data in ./data, SQLite, no Redis', () => {
    const config = loadConfig({}, '/srv/signet');
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/signet/data',
      databaseUrl: undefined,
      redisUrl: undefined,
      demo: false,
    });
  });

  it('lists every problem at once, without echoing secrets', () => {
    const error = (() => {
      try {
        loadConfig({
          PORT: 'eighty',
          DATABASE_URL: 'mysql://u:hunter2@db/x',
          SIGNET_MASTER_KEY: 'short-secret',
          LOG_LEVEL: 'loud',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'SIGNET_MASTER_KEY', 'LOG_LEVEL'])
      expect(problems).toContain(name);
    expect(problems).not.toContain('hunter2');
    expect(problems).not.toContain('short-secret');
  });

  it('reads numbers and switches', () => {
    const config = loadConfig({
      PORT: '9000',
      SIGNET_DEMO: '1',
      DATABASE_URL: 'postgres://x@h/db',
      LOGIN_RATE_PER_MINUTE: '0',
    });
    expect(config).toMatchObject({
      port: 9000,
      demo: true,
      databaseUrl: 'postgres://x@h/db',
      loginRatePerMinute: 0,
    });
  });
});
