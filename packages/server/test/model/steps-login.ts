import type { LightMyRequestResponse } from 'fastify';
import type { Action } from './actions.ts';
import { applyLogin, type LoginClaims, type ModelSession, predictLogin } from './model.ts';
import { covered, describeResponse, errorCode, type Run } from './run.ts';

/** The session a device would send along with a request, unless the model lost track of it. */
const usable = (run: Run, session: ModelSession | undefined) =>
  session && !run.diverged.has(session) ? session : undefined;

export async function login(run: Run, action: Extract<Action, { kind: 'login' }>): Promise<void> {
  const slot = run.deviceSlot(action.device);
  const sent = action.withSession ? usable(run, run.model.devices[slot]) : undefined;
  const deleted = run.model.keys.filter((k) => !k.live);
  const useDeleted = action.deletedKey && deleted.length > 0;
  const keys = useDeleted ? deleted : run.model.keys.filter((k) => k.live);
  const key = keys[action.key % keys.length]!;
  const claims: LoginClaims = {
    externalId: run.externalId(action.externalId),
    email: run.email(action.email),
    emailVerified: action.email?.verified ?? false,
  };
  const { jwt, deadline } = await run.sign(
    key,
    claims.externalId,
    claims.email,
    claims.emailVerified,
    action.lifetime,
  );
  const response = await run.request('POST', '/v1/client/login', { token: sent?.token, body: { jwt } });

  if (useDeleted || action.lifetime === 'expired') {
    const reason = useDeleted ? 'unknown_kid' : 'expired';
    covered(`login refused: ${reason}`);
    run.expect(
      'login-rejection',
      response.statusCode === 401 &&
        errorCode(response) === 'invalid_token' &&
        response.json().error.reason === reason,
      () => `login expecting 401 invalid_token/${reason}, got ${describeResponse(response)}`,
    );
    return;
  }
  const before = sent?.state === 'live' ? run.model.resolve(sent.userId) : undefined;
  const deviceUserNotAnonymous = before !== undefined && !run.model.isAnonymous(before);
  const prediction = predictLogin(run.model, claims);
  const expected = {
    resolution: prediction.resolution,
    emailOutcome: prediction.emailOutcome,
    userId: prediction.target === 'new' ? '(new)' : prediction.target.id,
  };
  const detail = () =>
    `login ${JSON.stringify(claims)} expected ${JSON.stringify(expected)}, got ${describeResponse(response)}`;
  // A device user that is not anonymous by §3.4 must not be folded in (nor fail the login).
  const refusedInvariant = deviceUserNotAnonymous ? 'anonymous-is-derived' : 'login-resolution';
  if (!run.expect(refusedInvariant, response.statusCode === 200, detail)) return;
  const body = response.json();
  const userId: string = body.user.id;
  run.expect(
    'login-resolution',
    body.resolution === expected.resolution &&
      body.emailOutcome === expected.emailOutcome &&
      (prediction.target === 'new' ? !run.model.users.has(userId) : userId === expected.userId),
    detail,
  );
  const { target, mergedAnonymous } = applyLogin(run.model, claims, prediction, userId, sent);
  covered(
    `login: ${prediction.resolution}, email ${prediction.emailOutcome}${mergedAnonymous ? ', anonymous history joined' : ''}`,
  );
  if (deviceUserNotAnonymous) covered('login from a device whose user holds an identity (nothing moves)');
  run.expect(
    deviceUserNotAnonymous && body.mergedAnonymous ? 'anonymous-is-derived' : 'login-resolution',
    body.mergedAnonymous === mergedAnonymous,
    () =>
      `login from a device whose user ${before?.id} holds ${JSON.stringify({ externalId: before?.externalId, emails: [...(before?.emails ?? [])] })}: ` +
      `mergedAnonymous expected ${mergedAnonymous}, got ${body.mergedAnonymous}`,
  );
  run.model.devices[slot] = authenticatedSession(
    run,
    body.sessionToken,
    target.id,
    key.kid,
    claims,
    deadline,
  );
}

function authenticatedSession(
  run: Run,
  token: string,
  userId: string,
  kid: string,
  claims: LoginClaims,
  deadline: number,
): ModelSession {
  const session: ModelSession = {
    token,
    userId,
    kid,
    tokenExternalId: claims.externalId,
    deadline,
    lastUsed: run.clock.now(),
    state: 'live',
    endedBy: null,
    laterEnds: [],
  };
  run.model.sessions.push(session);
  return session;
}

function postMessage(run: Run, session: ModelSession, clientMessageId: string) {
  return run.request('POST', '/v1/client/messages', {
    token: session.token,
    body: { text: `hello ${clientMessageId}`, clientMessageId },
  });
}

/** A send's answer: 201 (200 for a repeat) from a live session, the ended code otherwise. */
function recordSend(
  run: Run,
  session: ModelSession,
  wasLive: boolean,
  response: LightMyRequestResponse,
  repeat: boolean,
  racing = false,
): void {
  if (!wasLive) {
    covered(`send from an ended session (${session.endedBy})`);
    run.expectEnded(session, response, 'a send');
    return;
  }
  // A send racing the login that replaces its session may lose: 401 session_ended.
  if (racing) covered(`racing send: ${response.statusCode}`);
  if (
    racing &&
    response.statusCode === 401 &&
    errorCode(response) === 'session_ended' &&
    response.json().error.reason === 'replaced'
  )
    return;
  const status = repeat ? 200 : 201;
  if (
    !run.expect(
      'send-outcome',
      response.statusCode === status,
      () =>
        `send${repeat ? ' (repeat)' : ''} from a live session: expected ${status}, got ${describeResponse(response)}`,
    )
  )
    return;
  const message = response.json();
  session.lastUsed = run.clock.now();
  if (repeat) {
    run.expect(
      'send-outcome',
      message.id === session.lastMessage!.id,
      () => `a repeated clientMessageId answered ${message.id}, not ${session.lastMessage!.id}`,
    );
    return;
  }
  run.expect(
    'send-outcome',
    message.authenticated === (session.kid !== null),
    () =>
      `message.authenticated ${message.authenticated} from a ${session.kid ? 'n authenticated' : 'n anonymous'} session`,
  );
  // A message joins its conversation's user; a new conversation is the session's user's.
  const known = run.model.messages.find((m) => m.conversationId === message.conversationId);
  if (racing) run.model.raced.add(run.model.resolve(session.userId).id).add(session.userId);
  const recorded = {
    id: message.id,
    conversationId: message.conversationId,
    userId: known?.userId ?? session.userId,
    clientMessageId: message.clientMessageId,
  };
  run.model.messages.push(recorded);
  session.lastMessage = recorded;
}

export async function send(run: Run, index: number, retry: boolean): Promise<void> {
  const slot = run.existingDevice(index);
  const session = slot === undefined ? undefined : usable(run, run.model.devices[slot]);
  if (!session) return;
  const repeat = retry && session.lastMessage !== undefined;
  const clientMessageId = repeat ? session.lastMessage!.clientMessageId : run.nextClientMessageId();
  const wasLive = session.state === 'live';
  recordSend(run, session, wasLive, await postMessage(run, session, clientMessageId), repeat);
}

/**
 * Several devices log in at once with one token for a new external id, each sending
 * its session if asked, while those sessions also send; then every new session sends at
 * once. §3: one user, every anonymous history on it, every acknowledged message too.
 */
export async function burst(run: Run, action: Extract<Action, { kind: 'burst' }>): Promise<void> {
  // Indices past the known devices are each a new device (taken in turn, so distinct).
  const devices = [...new Set([...new Set(action.devices)].map((d) => run.deviceSlot(d)))];
  const sent = devices.map((slot) =>
    action.withSessions ? usable(run, run.model.devices[slot]) : undefined,
  );
  const claims: LoginClaims = {
    externalId: run.newBurstExternalId(),
    email: run.email(action.email),
    emailVerified: action.email?.verified ?? false,
  };
  const key = run.model.keys.find((k) => k.live)!;
  const { jwt, deadline } = await run.sign(key, claims.externalId, claims.email, claims.emailVerified, '3h');
  const racers = action.racingSends ? sent.filter((s): s is ModelSession => s?.state === 'live') : [];
  const results = await Promise.all([
    ...sent.map((s) => run.request('POST', '/v1/client/login', { token: s?.token, body: { jwt } })),
    ...racers.map((s) => postMessage(run, s, run.nextClientMessageId())),
  ]);
  const logins = results.slice(0, devices.length);
  const notAnonymous = sent.some(
    (s) => s?.state === 'live' && !run.model.isAnonymous(run.model.resolve(s.userId)),
  );
  if (
    !run.expect(
      notAnonymous ? 'anonymous-is-derived' : 'burst-one-user',
      logins.every((r) => r.statusCode === 200),
      () => `burst logins: ${logins.map(describeResponse).join(' | ')}`,
    )
  )
    return;
  const bodies = logins.map((r) => r.json());
  const ids = new Set(bodies.map((b) => b.user.id as string));
  if (
    !run.expect(
      'burst-one-user',
      ids.size === 1,
      () => `${devices.length} logins for one new external id made users ${[...ids]}`,
    )
  )
    return;
  const [userId] = [...ids] as [string];
  covered(`burst of ${devices.length} logins, ${sent.filter(Boolean).length} with a session`);
  const predicted: string[] = [];
  const merged: boolean[] = [];
  const sessions: ModelSession[] = [];
  for (const [i, slot] of devices.entries()) {
    const prediction = predictLogin(run.model, claims);
    predicted.push(prediction.resolution);
    const { mergedAnonymous } = applyLogin(run.model, claims, prediction, userId, sent[i]);
    merged.push(mergedAnonymous);
    const session = authenticatedSession(run, bodies[i].sessionToken, userId, key.kid, claims, deadline);
    run.model.devices[slot] = session;
    sessions.push(session);
  }
  const got = bodies.map((b) => b.resolution as string);
  run.expect(
    'login-resolution',
    [...got].sort().join() === [...predicted].sort().join(),
    () => `burst resolutions ${got}, expected (in any order) ${predicted}`,
  );
  run.expect(
    'login-resolution',
    bodies.every((b, i) => b.mergedAnonymous === merged[i]),
    () => `burst mergedAnonymous ${bodies.map((b) => b.mergedAnonymous)}, expected ${merged}`,
  );
  for (const [i, racer] of racers.entries())
    recordSend(run, racer, true, results[devices.length + i]!, false, true);

  const ids2 = sessions.map(() => run.nextClientMessageId());
  const sends = await Promise.all(sessions.map((s, i) => postMessage(run, s, ids2[i]!)));
  for (const [i, session] of sessions.entries()) recordSend(run, session, true, sends[i]!, false);
}
