import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { adminToken, createSigningKey } from '../lib/admin.ts';
import { closedLoop, fixedRate, percentile } from '../lib/load.ts';
import { freshSchema } from '../lib/postgres.ts';
import { signetEnv, startProcess } from '../lib/processes.ts';
import { result, type ScenarioResult } from '../lib/results.ts';

export type LoginOptions = {
  seconds: number;
  concurrency: number;
  rate: number;
  databaseUrl?: string;
  label: string;
};

async function sign(kid: string, secret: string, externalId: string): Promise<string> {
  return new SignJWT({
    scope: 'user',
    external_id: externalId,
    name: `User ${externalId}`,
    email: `${externalId}@bench.example`,
    email_verified: true,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

// undici's request() directly: fetch() costs the generator several times more CPU,
// and the generator shares the machine's two cores with the servers it measures.
const agent = new Agent({ connections: 64, pipelining: 1 });
const post = async (url: string, jwt: string): Promise<boolean> => {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jwt }),
  });
  await response.body.dump();
  return response.statusCode === 200;
};

/**
 * Logins over HTTP against a fresh server, beside the bare baseline (jose verify +
 * one insert, same database) measured in the same run: saturation throughput with a
 * closed loop, then p50/p99 at a fixed moderate rate.
 */
export async function loginScenarios(options: LoginOptions): Promise<ScenarioResult[]> {
  const schema = options.databaseUrl ? await freshSchema(options.databaseUrl) : undefined;
  const env = signetEnv(schema?.url);
  const signet = await startProcess('packages/server/src/main.ts', env);
  const secretForBaseline = randomBytes(32).toString('base64url');
  const baseline = await startProcess('bench/baseline/login-server.ts', {
    ...env,
    BASELINE_SECRET: secretForBaseline,
  });
  try {
    const key = await createSigningKey(signet.url, adminToken(env));

    // Pre-signed tokens, so the generator measures the server, not its own signing.
    const run = randomBytes(3).toString('hex');
    const needed = Math.ceil(options.seconds * 3000) + Math.ceil(options.rate * options.seconds);
    const fresh = await Promise.all(
      Array.from({ length: needed }, (_, i) => sign(key.kid, key.secret, `new-${run}-${i}`)),
    );
    const returning = await Promise.all(
      Array.from({ length: 500 }, (_, i) => sign(key.kid, key.secret, `ret-${run}-${i}`)),
    );
    for (const jwt of returning) await post(`${signet.url}/v1/client/login`, jwt);
    const baselineTokens = await Promise.all(
      Array.from({ length: 500 }, (_, i) => sign('baseline', secretForBaseline, `b-${i}`)),
    );

    const loginUrl = `${signet.url}/v1/client/login`;
    const baseUrl = `${baseline.url}/login`;
    const saturate = (url: string, tokens: string[]) =>
      closedLoop(options.seconds, options.concurrency, (i) => post(url, tokens[i % tokens.length]!));
    let offset = 0;
    const nextFresh = () => fresh[offset++ % fresh.length]!;

    const base = await saturate(baseUrl, baselineTokens);
    const ret = await saturate(loginUrl, returning);
    const neu = await closedLoop(options.seconds, options.concurrency, () => post(loginUrl, nextFresh()));
    const baseLatency = await fixedRate(options.rate, options.seconds, (i) =>
      post(baseUrl, baselineTokens[i % 500]!),
    );
    const retLatency = await fixedRate(options.rate, options.seconds, (i) =>
      post(loginUrl, returning[i % 500]!),
    );
    const newLatency = await fixedRate(options.rate, options.seconds, () => post(loginUrl, nextFresh()));

    const errors = [base, ret, neu, baseLatency, retLatency, newLatency].reduce((n, r) => n + r.errors, 0);
    if (errors > 0) throw new Error(`${errors} requests failed during the login scenarios`);
    const p = (r: { latenciesMs: number[] }, q: number) => percentile(r.latenciesMs, q);
    const at = `${options.label}, ${options.concurrency} concurrent; latency at ${options.rate}/s`;
    return [
      result({
        name: `login_returning${options.databaseUrl ? '_postgres' : ''}`,
        metric: 'logins_per_s',
        value: ret.perSecond,
        baseline: base.perSecond,
        target: 0.5,
        higherIsBetter: true,
        notes: `${at}: p50 ${p(retLatency, 50).toFixed(2)} ms, p99 ${p(retLatency, 99).toFixed(2)} ms (baseline p50 ${p(baseLatency, 50).toFixed(2)}, p99 ${p(baseLatency, 99).toFixed(2)})`,
      }),
      result({
        name: `login_new${options.databaseUrl ? '_postgres' : ''}`,
        metric: 'logins_per_s',
        value: neu.perSecond,
        baseline: base.perSecond,
        target: 0.35,
        higherIsBetter: true,
        notes: `${at}: p50 ${p(newLatency, 50).toFixed(2)} ms, p99 ${p(newLatency, 99).toFixed(2)} ms`,
      }),
    ];
  } finally {
    await signet.stop();
    await baseline.stop();
    await schema?.drop();
  }
}
