import type { Action } from './actions.ts';
import { TICKS } from './actions.ts';
import { type ModelSession, normalizeEmail, UNMERGE_WINDOW_MS } from './model.ts';
import { covered, describeResponse, errorCode, type Run } from './run.ts';
import { burst, login, send } from './steps-login.ts';

/** One generated action against the server and the model, checking the server's answer. */
export async function runAction(run: Run, action: Action): Promise<void> {
  switch (action.kind) {
    case 'anonymous':
      await anonymous(run, run.deviceSlot(action.device));
      return;
    case 'login':
      return login(run, action);
    case 'apiCreate':
      return apiCreate(run, action);
    case 'merge':
      return merge(run, action.from, action.into);
    case 'deleteKey':
      return deleteKey(run, action.key);
    case 'logout':
      return logout(run, action.device);
    case 'send':
      return send(run, action.device, action.retry);
    case 'details':
      return details(run, action.device, action.email);
    case 'burst':
      return burst(run, action);
    case 'tick':
      run.clock.offset += TICKS[action.by];
      return;
    case 'erase':
      return erase(run, action.user);
    case 'unmerge':
      return unmerge(run, action.user, action.dryRun);
  }
}

export async function anonymous(run: Run, slot: number): Promise<ModelSession> {
  const response = await run.request('POST', '/v1/client/sessions', { body: {} });
  if (response.statusCode !== 201) throw new Error(`anonymous session: ${describeResponse(response)}`);
  const { sessionToken, user } = response.json();
  run.model.addUser(user.id);
  const session: ModelSession = {
    token: sessionToken,
    userId: user.id,
    kid: null,
    tokenExternalId: null,
    deadline: null,
    lastUsed: run.clock.now(),
    state: 'live',
    endedBy: null,
    laterEnds: [],
  };
  run.model.sessions.push(session);
  run.model.devices[slot] = session;
  return session;
}

async function apiCreate(run: Run, action: Extract<Action, { kind: 'apiCreate' }>): Promise<void> {
  const externalId = action.externalId === null ? null : run.externalId(action.externalId);
  const email = run.email(action.email);
  const verified = action.email?.verified ?? false;
  const body = {
    ...(externalId !== null ? { externalId } : {}),
    ...(email !== null ? { email: email.trim(), emailVerified: verified } : {}),
  };
  const response = await run.admin('POST', '/v1/users', body);
  const conflicts = [
    ...(externalId !== null && run.model.holderOfExternalId(externalId) ? ['external_id_taken'] : []),
    ...(email !== null && verified && run.model.holderOfEmail(email) ? ['email_taken'] : []),
  ];
  covered(`api create${conflicts.length ? ` refused: ${conflicts}` : ''}`);
  if (conflicts.length > 0) {
    run.expect(
      'api-create',
      response.statusCode === 409 && conflicts.includes(errorCode(response)!),
      () =>
        `POST /v1/users ${JSON.stringify(body)}: expected 409 ${conflicts}, got ${describeResponse(response)}`,
    );
    return;
  }
  if (
    !run.expect(
      'api-create',
      response.statusCode === 201,
      () => `POST /v1/users ${JSON.stringify(body)}: expected 201, got ${describeResponse(response)}`,
    )
  )
    return;
  run.model.addUser(
    response.json().id,
    externalId,
    email !== null && verified ? [normalizeEmail(email)] : [],
  );
}

async function merge(run: Run, fromIndex: number, intoIndex: number): Promise<void> {
  const users = run.model.liveUsers();
  if (users.length < 2) return;
  const from = users[fromIndex % users.length]!;
  const into = users[intoIndex % users.length]!;
  const response = await run.admin('POST', `/v1/users/${from.id}/merge`, { intoUserId: into.id });
  const kept = run.model
    .liveSessionsOf(from.id)
    .filter((s) => s.tokenExternalId !== null && s.tokenExternalId === (into.externalId ?? from.externalId));
  if (from.id === into.id || (from.externalId !== null && into.externalId !== null)) {
    covered('merge by hand refused');
    run.expect(
      'merge-by-hand',
      response.statusCode === 409 && errorCode(response) === 'merge_conflict',
      () =>
        `merge ${from.id} into ${into.id}: expected 409 merge_conflict, got ${describeResponse(response)}`,
    );
    return;
  }
  if (
    run.expect(
      'merge-by-hand',
      response.statusCode === 200 && response.json().id === into.id,
      () =>
        `merge ${from.id} into ${into.id}: expected 200 with the survivor, got ${describeResponse(response)}`,
    )
  ) {
    covered(`merge by hand (${run.model.liveSessionsOf(from.id).length} live sessions, ${kept.length} kept)`);
    run.model.merge(from, into);
  }
}

async function deleteKey(run: Run, index: number): Promise<void> {
  if (run.model.keys.filter((k) => k.live).length < 2) {
    const created = await run.admin('POST', '/v1/signing-keys', { name: 'model rotation' });
    if (created.statusCode !== 201) throw new Error(`create key: ${describeResponse(created)}`);
    const { kid, secret } = created.json();
    run.model.keys.push({ kid, secret, live: true });
  }
  const live = run.model.keys.filter((k) => k.live);
  const key = live[index % live.length]!;
  const response = await run.admin('DELETE', `/v1/signing-keys/${key.kid}`);
  if (response.statusCode !== 204) throw new Error(`delete key: ${describeResponse(response)}`);
  covered(
    `key deleted (${run.model.sessions.filter((s) => s.kid === key.kid && s.state === 'live').length} live sessions)`,
  );
  run.model.deleteKey(key.kid);
}

async function logout(run: Run, index: number): Promise<void> {
  const slot = run.existingDevice(index);
  const session = slot === undefined ? undefined : run.model.devices[slot];
  if (!session || run.diverged.has(session)) return;
  const wasLive = session.state === 'live';
  const response = await run.request('POST', '/v1/client/logout', { token: session.token });
  if (wasLive) {
    run.expect(
      'logout-ends-session',
      response.statusCode === 204,
      () => `logout: ${describeResponse(response)}`,
    );
    run.model.end(session, 'logout');
  } else {
    run.expectEnded(session, response, 'a logout');
  }
}

/**
 * §6 scenario 3: the visitor types an email into the bot's form. It is an unverified
 * identity: it never matches, merges or moves anything (the email invariant checks
 * that the verified holder stays who it was).
 */
async function details(run: Run, index: number, emailIndex: number): Promise<void> {
  const slot = run.existingDevice(index);
  const session = slot === undefined ? undefined : run.model.devices[slot];
  if (!session || run.diverged.has(session)) return;
  const email = run.emails()[emailIndex % run.emails().length]!;
  const wasLive = session.state === 'live';
  const response = await run.request('PATCH', '/v1/client/profile', {
    token: session.token,
    body: { email },
  });
  if (wasLive) {
    covered(
      `details typed (${run.model.holderOfEmail(email) ? 'someone holds it verified' : 'nobody holds it verified'})`,
    );
    run.expect(
      'send-outcome',
      response.statusCode === 200,
      () => `details from a live session: ${describeResponse(response)}`,
    );
    session.lastUsed = run.clock.now();
    return;
  }
  run.expectEnded(session, response, 'typed details');
}

async function erase(run: Run, index: number): Promise<void> {
  const users = run.model.liveUsers();
  if (users.length === 0) return;
  const user = users[index % users.length]!;
  const response = await run.admin('DELETE', `/v1/users/${user.id}`);
  if (response.statusCode !== 204) throw new Error(`erase: ${describeResponse(response)}`);
  covered(`erased (${run.model.liveSessionsOf(user.id).length} live sessions)`);
  run.model.erase(user);
}

/**
 * Undo merge: the latest merge of a merged user, asked of the user it now resolves to.
 * Refused (409 unmerge_blocked) when that user has since been merged on, or after 30 days.
 */
async function unmerge(run: Run, index: number, dryRun: boolean): Promise<void> {
  const candidates = [...run.model.users.values()].filter(
    (u) => u.mergedInto && !run.model.resolve(u.id).erased && !run.model.raced.has(u.id),
  );
  if (candidates.length === 0) return;
  const merged = candidates[index % candidates.length]!;
  const survivor = run.model.resolve(merged.id);
  const record = run.model.merges.get(merged.id)!;
  const response = await run.admin('POST', `/v1/users/${survivor.id}/unmerge`, {
    mergedUserId: merged.id,
    dryRun,
  });
  const age = run.model.now - record.at;
  if (Math.abs(age - UNMERGE_WINDOW_MS) < 3600_000) return; // too close to the window's end to tell
  const blocked = record.into !== survivor.id || age > UNMERGE_WINDOW_MS;
  const what = `unmerge ${merged.id} from ${survivor.id}${dryRun ? ' (dry run)' : ''} (merged into ${record.into}, ${Math.round(age / 3600_000)} h ago)`;
  if (blocked) {
    covered('unmerge refused');
    run.expect(
      'unmerge',
      response.statusCode === 409 && errorCode(response) === 'unmerge_blocked',
      () => `${what}: expected 409 unmerge_blocked, got ${describeResponse(response)}`,
    );
    return;
  }
  const body = response.statusCode === 200 ? response.json() : undefined;
  if (
    !run.expect(
      'unmerge',
      body?.restored?.id === merged.id && body?.survivor?.id === survivor.id && body?.dryRun === dryRun,
      () => `${what}: expected 200 restoring it, got ${describeResponse(response)}`,
    )
  )
    return;
  covered(
    `unmerge${dryRun ? ' (dry run)' : ''} (${record.keptSessions.filter((s) => s.state === 'live').length} sessions move back)`,
  );
  const stranded = run.model
    .liveSessionsOf(survivor.id)
    .filter(
      (s) =>
        record.externalId !== null &&
        s.tokenExternalId === record.externalId &&
        !record.keptSessions.includes(s),
    );
  // A session proved for the external id that goes back, opened after the merge: it stays with the survivor.
  if (stranded.length > 0 && !dryRun)
    covered('unmerge: a session proved for the external id that went back stays on the survivor');
  if (!dryRun) run.model.unmerge(merged, record);
}
