import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { SignetClient } from '../src/client.ts';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, 'node-messenger.ts');

/** The messenger in a plain Node process (no DOM, no localStorage, no global WebSocket), against a real server. */
describe('the client in plain Node', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    url = (await server.listen()).http;
  });
  afterAll(() => server.close());

  const messenger = async (file: string, text: string, jwt?: string) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', SCRIPT, url, file, text, ...(jwt ? [jwt] : [])],
      {
        timeout: 20_000,
      },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  };

  it('chats, logs in, and resumes its session from the caller’s storage in a second process', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-node-')), 'session');
    const first = await messenger(file, 'from a Node process');
    expect(first).toMatchObject({
      authenticated: false,
      connection: 'online',
      texts: ['from a Node process'],
    });
    const token = readFileSync(file, 'utf8');
    expect(token).toMatch(/^sst_/);

    const key = await server.createKey();
    const jwt = await signUserToken(key, { external_id: uniqueExternalId('node'), name: 'Node' });
    const second = await messenger(file, 'logged in now', jwt);
    expect(second).toMatchObject({ authenticated: true, texts: ['from a Node process', 'logged in now'] });
    expect(readFileSync(file, 'utf8')).not.toBe(token);

    const third = await messenger(file, 'and again');
    expect(third.userId).toBe(second.userId);
    expect(third).toMatchObject({
      authenticated: true,
      texts: ['from a Node process', 'logged in now', 'and again'],
    });
  });

  it('without a WebSocket implementation in the runtime, says what to pass', () => {
    expect(() => new SignetClient({ serverUrl: url })).toThrow(/pass options.webSocket/);
  });
});
