import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('fills defaults: port 8080, data in ./data, SQLite, no Redis, the demo on loopback', () => {
    const config = loadConfig({}, '/srv/signet');
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/signet/data',
      databaseUrl: undefined,
      redisUrl: undefined,
      demo: true,
    });
  });

  it('serves the demo only on a loopback address unless SIGNET_DEMO=1', () => {
    for (const HOST of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(loadConfig({ HOST }).demo, HOST).toBe(true);
    for (const HOST of ['0.0.0.0', '::', '192.168.1.10', 'shop.example', '10.0.0.1', '127.0.0.1.nip.io'])
      expect(loadConfig({ HOST }).demo, HOST).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', SIGNET_DEMO: '1' }).demo).toBe(true);
    expect(loadConfig({ HOST: '127.0.0.1', SIGNET_DEMO: '0' }).demo).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', SIGNET_DEMO: 'auto' }).demo).toBe(false);
    expect(() => loadConfig({ SIGNET_DEMO: 'yes' })).toThrow(ConfigError);
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
