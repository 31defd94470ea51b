import { SignJWT } from 'jose';
import { request } from 'undici';
import WebSocket from 'ws';
import { adminToken, createSigningKey } from '../lib/admin.ts';
import { signetEnv, startProcess } from '../lib/processes.ts';
import { result, type ScenarioResult } from '../lib/results.ts';
import { settledRss } from '../lib/rss.ts';

export type SocketOptions = { sizes: number[]; maxSockets: number; socketsPerSession: number };

/** Opens `count` sockets in batches; each authenticates and waits for `ready`. Returns the open ones. */
async function openIdle(
  url: string,
  count: number,
  auth: (i: number) => Record<string, unknown>,
): Promise<WebSocket[]> {
  const open: WebSocket[] = [];
  const batch = 200;
  for (let i = 0; i < count; i += batch) {
    const made = await Promise.all(
      Array.from(
        { length: Math.min(batch, count - i) },
        (_, j) =>
          new Promise<WebSocket | null>((resolve) => {
            const ws = new WebSocket(url, { perMessageDeflate: false });
            const timer = setTimeout(() => {
              ws.terminate();
              resolve(null);
            }, 15_000);
            ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', ...auth(i + j) })));
            ws.once('message', () => {
              clearTimeout(timer);
              resolve(ws);
            });
            ws.once('error', () => {
              clearTimeout(timer);
              resolve(null);
            });
          }),
      ),
    );
    const ok = made.filter((w): w is WebSocket => w !== null);
    open.push(...ok);
    if (ok.length < made.length) break; // the server (or this process) hit a limit
  }
  return open;
}

async function sessionsFor(base: string, env: Record<string, string>, count: number): Promise<string[]> {
  const key = await createSigningKey(base, adminToken(env));
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 25) {
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, count - i) }, async (_, j) => {
          const jwt = await new SignJWT({ scope: 'user', external_id: `idle-${i + j}` })
            .setProtectedHeader({ alg: 'HS256', kid: key.kid })
            .sign(new TextEncoder().encode(key.secret));
          const response = await request(`${base}/v1/client/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jwt }),
          });
          return ((await response.body.json()) as { sessionToken: string }).sessionToken;
        }),
      )),
    );
  }
  return tokens;
}

/**
 * Memory per authenticated idle socket at each size, beside a bare `ws` server holding
 * the same number, and the most sockets one Signet process holds (the file limit here
 * is 20,000; the generator needs its own descriptors too).
 */
export async function socketScenarios(options: SocketOptions): Promise<ScenarioResult[]> {
  const largest = Math.max(...options.sizes);
  const perSocket: { size: number; signet: number; bare: number }[] = [];
  for (const size of options.sizes) {
    const env = { ...signetEnv(), MAX_SOCKETS_PER_USER: String(options.socketsPerSession + 1) };
    const signet = await startProcess('packages/server/src/main.ts', env);
    const bare = await startProcess('bench/baseline/ws-idle.ts', {});
    try {
      const sessions = await sessionsFor(signet.url, env, Math.ceil(size / options.socketsPerSession));
      const signetUrl = `${signet.url.replace('http', 'ws')}/v1/client/ws`;
      const bareUrl = `${bare.url.replace('http', 'ws')}/`;
      const signetAuth = (i: number) => ({ sessionToken: sessions[i % sessions.length] });
      const signetBefore = await settledRss(signet.process.pid!);
      const held = await openIdle(signetUrl, size, signetAuth);
      const signetAfter = await settledRss(signet.process.pid!);
      // One side at a time: this process has a file limit too.
      for (const ws of held) ws.terminate();
      const bareBefore = await settledRss(bare.process.pid!);
      const bareHeld = await openIdle(bareUrl, size, () => ({ sessionToken: 'x' }));
      const bareAfter = await settledRss(bare.process.pid!);
      if (held.length < size || bareHeld.length < size)
        throw new Error(`only ${held.length}/${bareHeld.length} of ${size} sockets opened`);
      perSocket.push({
        size,
        signet: (signetAfter - signetBefore) / size,
        bare: (bareAfter - bareBefore) / size,
      });
      for (const ws of bareHeld) ws.terminate();
    } finally {
      await signet.stop();
      await bare.stop();
    }
  }

  const env = { ...signetEnv(), MAX_SOCKETS_PER_USER: String(options.socketsPerSession + 1) };
  const signet = await startProcess('packages/server/src/main.ts', env);
  let max = 0;
  try {
    const sessions = await sessionsFor(
      signet.url,
      env,
      Math.ceil(options.maxSockets / options.socketsPerSession),
    );
    const held = await openIdle(
      `${signet.url.replace('http', 'ws')}/v1/client/ws`,
      options.maxSockets,
      (i) => ({
        sessionToken: sessions[i % sessions.length],
      }),
    );
    max = held.length;
    for (const ws of held) ws.terminate();
  } finally {
    await signet.stop();
  }

  const at = perSocket.find((p) => p.size === largest)!;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return [
    result({
      name: 'idle_socket_rss',
      metric: 'bytes_per_socket',
      value: at.signet,
      baseline: at.bare,
      target: 2,
      higherIsBetter: false,
      notes: perSocket
        .map((p) => `${p.size} sockets: Signet ${kib(p.signet)} vs bare ws ${kib(p.bare)} per socket`)
        .join('; '),
    }),
    result({
      name: 'max_sockets',
      metric: 'sockets',
      value: max,
      ratio: null,
      target: Math.min(19_000, options.maxSockets),
      higherIsBetter: true,
      notes: `authenticated sockets one process held, trying ${options.maxSockets}`,
    }),
  ];
}
