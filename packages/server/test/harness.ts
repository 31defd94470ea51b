import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { createApiToken } from '../src/agents/api-tokens.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { StorageOptions } from '../src/db/database.ts';
import type { App } from '../src/http/types.ts';
import { createSigningKey } from '../src/identity/signing-keys.ts';
import { type Runtime, startRuntime } from '../src/runtime.ts';
import { updateSettings } from '../src/settings/settings.ts';
import { dropSchema, privateSchema } from './cluster.ts';

export type DbKind = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const DATABASES: DbKind[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export type TestServer = {
  kind: DbKind;
  app: App;
  runtime: Runtime;
  adminToken: string;
  agentToken: string;
  /** Every log line the server wrote. */
  logs: string[];
  /** Every credential the test run saw; none may ever reach a log. */
  secrets: Set<string>;
  request(method: string, url: string, options?: RequestOptions): Promise<LightMyRequestResponse>;
  createKey(name?: string): Promise<{ kid: string; secret: string }>;
  /** Stops this server and starts another on the same storage, as a process restart would. */
  restart(): Promise<TestServer>;
  /** Listens on a real port on 127.0.0.1 (once) and returns `ws://…` and `http://…` bases. */
  listen(port?: number): Promise<{ http: string; ws: string }>;
  close(): Promise<void>;
};

type RequestOptions = { token?: string | undefined; body?: unknown; headers?: Record<string, string> };

export async function startTestServer(
  kind: DbKind,
  env: Record<string, string> = {},
  options: { dataDir?: string; schema?: string; bot?: boolean; ownsSchema?: boolean } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'signet-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    LOGIN_RATE_PER_MINUTE: '0',
    SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    // The demo would be on by default (loopback); suites about it turn it on.
    SIGNET_DEMO: '0',
    ...env,
  });
  let storage: StorageOptions = { dialect: 'sqlite', file: join(dataDir, 'signet.db') };
  let dropOwnSchema = async () => {};
  if (kind === 'postgres') {
    const url = process.env.TEST_DATABASE_URL!;
    if (options.schema) {
      storage = { dialect: 'postgres', url, schema: options.schema };
      if (options.ownsSchema) dropOwnSchema = () => dropSchema(url, options.schema!);
    } else {
      const created = await privateSchema(url);
      storage = { dialect: 'postgres', url, schema: created.schema };
      dropOwnSchema = created.drop;
    }
  }
  const runtime = await startRuntime(config, storage);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const app = await buildApp({ ctx: runtime, logStream });
  await app.ready();
  // The default bot would answer every first message; suites about the bot turn it on.
  if (!options.bot) await updateSettings(runtime, { botFlow: { steps: [] } });
  const admin = await createApiToken(runtime, { name: 'test admin' });
  const agent = await createApiToken(runtime, { name: 'test agent', role: 'agent' });
  const secrets = new SecretSet([admin.token, agent.token]);
  let listening: { http: string; ws: string } | undefined;

  const server: TestServer = {
    kind,
    app,
    runtime,
    adminToken: admin.token,
    agentToken: agent.token,
    logs,
    secrets,
    async request(method, url, { token, body, headers = {} } = {}) {
      const response = await app.inject({
        method: method as 'GET',
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? { payload: body }
            : { payload: body as object }),
      });
      remember(secrets, response);
      return response;
    },
    async createKey(name = 'test key') {
      const key = await createSigningKey(runtime, name);
      secrets.add(key.secret);
      return key;
    },
    async restart() {
      await app.close();
      await runtime.close();
      const schema = storage.dialect === 'postgres' ? storage.schema : undefined;
      return startTestServer(kind, env, {
        ...options,
        dataDir,
        ...(schema ? { schema, ownsSchema: true } : {}),
      });
    },
    async listen(port = 0) {
      if (!listening) {
        await app.listen({ port, host: '127.0.0.1' });
        const bound = (app.server.address() as { port: number }).port;
        listening = { http: `http://127.0.0.1:${bound}`, ws: `ws://127.0.0.1:${bound}` };
      }
      return listening;
    },
    async close() {
      await app.close();
      await runtime.close();
      await dropOwnSchema();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Credentials seen during a run. Too-short strings (an empty token) would match anything. */
class SecretSet extends Set<string> {
  override add(value: string): this {
    return value.length >= 16 ? super.add(value) : this;
  }
}

/** Credentials handed out in responses join the set the log check looks for. */
function remember(secrets: Set<string>, response: LightMyRequestResponse): void {
  if (!response.headers['content-type']?.toString().includes('json') || !response.body) return;
  const body = response.json() as Record<string, unknown>;
  for (const field of ['sessionToken', 'secret', 'token']) {
    const value = body?.[field];
    if (typeof value === 'string') secrets.add(value);
  }
}

/** Which credentials, if any, appear in the captured logs. */
export function leakedSecrets(server: TestServer): string[] {
  const text = server.logs.join('');
  return [...server.secrets].filter((s) => text.includes(s));
}

export type Claims = {
  external_id?: unknown;
  scope?: unknown;
  name?: unknown;
  email?: unknown;
  email_verified?: unknown;
  exp?: number;
  [claim: string]: unknown;
};

/** A well-formed token, as an integrator's backend would sign it. */
export async function signUserToken(
  key: { kid: string; secret: string },
  claims: Claims,
  secrets?: Set<string>,
): Promise<string> {
  const jwt = await new SignJWT({ scope: 'user', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
    .setIssuedAt()
    .sign(new TextEncoder().encode(key.secret));
  secrets?.add(jwt);
  return jwt;
}

let counter = 0;
/** A distinct external id per call, so suites never collide. */
export const uniqueExternalId = (label = 'user'): string =>
  `${label}-${Date.now().toString(36)}-${++counter}`;
