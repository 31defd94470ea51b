import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { type Action, actionsArb } from './model/actions.ts';
import { checkInvariants } from './model/checks.ts';
import { Clock, coverage, KnownGapHit, Run } from './model/run.ts';
import { Sockets } from './model/sockets.ts';
import { runAction } from './model/steps.ts';

/**
 * IDENTITY.md §3, §7 and §8 as a model-based test: random sequences of anonymous
 * sessions, logins, API creates, merges by hand and their undoing, key deletions,
 * logouts, sends, typed details, concurrent bursts, erasures and clock ticks run against
 * a real server (every session also holding a client socket), and after every step the
 * server must agree with the reference model in ./model/. Invariants a known gap breaks
 * are listed in ./model/known-gaps.ts (none fail the suite; their minimal cases are in
 * identity-model-findings.test.ts).
 *
 * CI runs a fixed seed. More runs: MODEL_RUNS=1000 (a random seed unless MODEL_SEED is
 * set). A failure prints its seed and path; replay exactly that sequence with
 * MODEL_SEED=<seed> MODEL_PATH=<path> npx vitest run packages/server/test/identity-model.test.ts
 */
const SEED = Number(process.env.MODEL_SEED ?? (process.env.MODEL_RUNS ? Date.now() : 20261129));
const PATH = process.env.MODEL_PATH;
const RUNS = Number(process.env.MODEL_RUNS ?? 30);
const MAX_ACTIONS = Number(process.env.MODEL_ACTIONS ?? 25);
/** Every session also holds a client socket, told when its session ends (MODEL_SOCKETS=0: off). */
const SOCKETS = process.env.MODEL_SOCKETS !== '0';
/** Years the clock may run ahead before the server is replaced (dates stay printable). */
const CLOCK_LIMIT_MS = 20 * 365 * 24 * 3600_000;

describe.each(DATABASES)('identity model on %s', (kind) => {
  let server: TestServer;
  let clock: Clock;
  let ws: string;
  const gapsHit = new Set<string>();
  const stats = { sequences: 0, steps: 0, cutShortByKnownGap: 0 };

  const freshServer = async () => {
    await server?.close();
    server = await startTestServer(kind);
    clock = new Clock();
    server.runtime.now = clock.now;
    ws = (await server.listen()).ws;
  };

  beforeAll(freshServer);
  afterAll(() => server.close());

  async function runSequence(actions: Action[]): Promise<void> {
    if (clock.offset > CLOCK_LIMIT_MS) await freshServer();
    const run = new Run(server, clock);
    const sockets = SOCKETS ? new Sockets(ws) : undefined;
    const key = await server.createKey('model');
    run.model.keys.push({ ...key, live: true });
    try {
      for (const [i, action] of actions.entries()) {
        run.step = i;
        run.model.now = clock.now();
        await runAction(run, action);
        await checkInvariants(run, i === actions.length - 1);
        await sockets?.check(run);
        await sockets?.follow(run);
        stats.steps++;
      }
      stats.sequences++;
    } catch (error) {
      if (!(error instanceof KnownGapHit)) throw error;
      stats.cutShortByKnownGap++;
    } finally {
      sockets?.closeAll();
      for (const gap of run.gapsHit) gapsHit.add(gap);
      // At most 50 keys may be live: each sequence deletes its own.
      for (const k of run.model.keys.filter((k) => k.live))
        await server.request('DELETE', `/v1/signing-keys/${k.kid}`, { token: server.adminToken });
    }
  }

  it(
    'the server agrees with the model after every step',
    async () => {
      await fc.assert(fc.asyncProperty(actionsArb(MAX_ACTIONS), runSequence), {
        seed: SEED,
        numRuns: RUNS,
        ...(PATH ? { path: PATH, endOnFailure: true } : {}),
        reporter: (details) => {
          if (!details.failed) return;
          throw new Error(
            `${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}\n` +
              `Replay: MODEL_SEED=${details.seed} MODEL_PATH=${details.counterexamplePath} npx vitest run packages/server/test/identity-model.test.ts`,
          );
        },
      });
      console.info(`identity model on ${kind}: ${JSON.stringify(stats)}`);
      if (process.env.MODEL_COVERAGE)
        console.info(
          [...coverage]
            .sort()
            .map(([what, n]) => `${String(n).padStart(6)}  ${what}`)
            .join('\n'),
        );
      if (gapsHit.size > 0)
        console.warn(`identity model: known gaps hit on ${kind}: ${[...gapsHit].join(', ')}`);
    },
    Math.max(120_000, RUNS * 10_000),
  );
});
