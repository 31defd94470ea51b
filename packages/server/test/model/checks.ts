import type { ModelMessage, ModelSession } from './model.ts';
import { covered, describeResponse, errorCode, type Run } from './run.ts';

const sorted = (values: Iterable<string>) => [...values].sort().join(',');

/**
 * Every invariant, after every step: one user per external id, one verified holder per
 * email, every acknowledged message on a live user, merged ids answering with their
 * survivor, and every session reading exactly what §7 allows.
 */
export async function checkInvariants(run: Run, last = false): Promise<void> {
  const unsure = run.model.expire(run.clock.now());
  await checkExternalIds(run);
  await checkEmails(run);
  await checkConversations(run);
  await checkTombstones(run);
  for (const session of run.model.sessions) {
    if (run.diverged.has(session)) continue;
    // An end, once read right, is read again only after the last step (a later event must not change it).
    if (session.state !== 'live' && session.seenEnded && !last) continue;
    await checkSession(run, session, unsure.has(session));
  }
}

async function checkExternalIds(run: Run): Promise<void> {
  for (const externalId of run.externalIds) {
    const response = await run.admin('GET', `/v1/users?externalId=${encodeURIComponent(externalId)}`);
    const holder = run.model.holderOfExternalId(externalId);
    const ids = response.statusCode === 200 ? response.json().data.map((u: { id: string }) => u.id) : null;
    run.expect(
      'one-user-per-external-id',
      sorted(ids ?? ['?']) === (holder?.id ?? ''),
      () =>
        `GET /v1/users?externalId=${JSON.stringify(externalId)} expected [${holder?.id ?? ''}], got ${describeResponse(response)}`,
    );
  }
}

type UserView = { id: string; identities: { type: string; value: string; verified: boolean }[] };

async function checkEmails(run: Run): Promise<void> {
  for (const email of run.emails()) {
    const response = await run.admin('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    if (response.statusCode !== 200) throw new Error(`email lookup: ${describeResponse(response)}`);
    const verifiedHolders = (response.json().data as UserView[])
      .filter((u) =>
        u.identities.some((i) => i.type === 'email' && i.verified && i.value.trim().toLowerCase() === email),
      )
      .map((u) => u.id);
    const holder = run.model.holderOfEmail(email);
    run.expect(
      'one-verified-holder-per-email',
      sorted(verifiedHolders) === (holder?.id ?? ''),
      () => `verified holders of ${email}: expected [${holder?.id ?? ''}], got [${verifiedHolders}]`,
    );
  }
}

/** Every conversation an acknowledged message opened belongs to the live user the model says. */
async function checkConversations(run: Run): Promise<void> {
  const owners = new Map<string, string>();
  for (const message of run.model.messages) {
    const owner = run.model.resolve(message.userId);
    if (!owner.erased) owners.set(message.conversationId, owner.id);
  }
  for (const [conversationId, ownerId] of owners) {
    const response = await run.admin('GET', `/v1/conversations/${conversationId}`);
    const userId = response.statusCode === 200 ? response.json().userId : undefined;
    if (userId === ownerId) continue;
    const lost = run.model.messages.filter((m) => m.conversationId === conversationId);
    run.expect(
      'message-on-live-user',
      false,
      () =>
        `conversation ${conversationId} (messages ${lost.map((m) => m.clientMessageId)}) should be on live user ${ownerId}, ` +
        `is on ${userId} (${run.model.users.get(userId)?.mergedInto ? 'a tombstone' : 'another user'}): ${describeResponse(response)}`,
      // Under the known gap the model stops expecting those messages anywhere.
      () => {
        run.model.messages = run.model.messages.filter((m) => m.conversationId !== conversationId);
      },
    );
  }
}

async function checkTombstones(run: Run): Promise<void> {
  for (const user of run.model.users.values()) {
    if (!user.mergedInto) continue;
    const survivor = run.model.resolve(user.id);
    if (survivor.erased) continue;
    const response = await run.admin('GET', `/v1/users/${user.id}`);
    run.expect(
      'tombstone-resolves',
      response.statusCode === 200 && response.json().id === survivor.id,
      () => `GET /v1/users/${user.id} (merged) expected ${survivor.id}, got ${describeResponse(response)}`,
    );
  }
}

type History = { data: { id: string; messages: { id: string }[] }[] };

const readsExactly = (history: History, expected: ModelMessage[]) =>
  sorted(history.data.flatMap((c) => c.messages.map((m) => m.id))) === sorted(expected.map((m) => m.id)) &&
  sorted(history.data.map((c) => c.id)) === sorted(new Set(expected.map((m) => m.conversationId)));

/** §7: a live session reads exactly its user's conversations; an ended one gets its 401. */
async function checkSession(run: Run, session: ModelSession, unsure: boolean): Promise<void> {
  const response = await run.request('GET', '/v1/client/conversations', { token: session.token });
  const diverge = () => run.diverged.add(session);
  if (session.state !== 'live' && !session.seenEnded) covered(`ended session read (${session.endedBy})`);
  if (session.provedFor !== undefined && session.state === 'live') {
    // §7 after an undo merge: a session proved for the external id that went back may
    // not keep reading the survivor. Following the id, or ending, are both fine.
    const restored = session.provedFor;
    session.provedFor = undefined;
    if (response.statusCode === 401 && errorCode(response) === 'session_ended') {
      session.state = 'ended';
      session.endedBy = response.json().error.reason;
      session.seenEnded = true;
      return;
    }
    const info = await run.request('GET', '/v1/client/session', { token: session.token });
    const boundTo = info.statusCode === 200 ? info.json().user.id : undefined;
    if (boundTo === restored && readsExactly(response.json(), run.model.messagesOf(restored))) {
      session.userId = restored;
      return;
    }
    run.expect(
      'unmerge-sessions',
      false,
      () =>
        `a session proved for the external id that went back to ${restored} is bound to ${boundTo} and reads ${describeResponse(response)}`,
      diverge,
    );
    return;
  }
  if (unsure && response.statusCode === 401 && errorCode(response) === 'session_expired') {
    session.state = 'expired';
    session.endedBy = 'expired';
    return;
  }
  if (session.state !== 'live') {
    run.expectEnded(session, response, 'a read', diverge);
    session.seenEnded = true;
    return;
  }
  const user = run.model.resolve(session.userId);
  const expected = run.model.messagesOf(user.id);
  const got = response.statusCode === 200 ? (response.json() as History) : undefined;
  const gotMessages = got?.data.flatMap((c) => c.messages.map((m) => m.id)) ?? [];
  run.expect(
    'live-session-reads-its-user',
    got !== undefined &&
      sorted(gotMessages) === sorted(expected.map((m) => m.id)) &&
      sorted(got.data.map((c) => c.id)) === sorted(new Set(expected.map((m) => m.conversationId))),
    () =>
      `live ${session.kid ? 'authenticated' : 'anonymous'} session of ${user.id} read: expected messages ` +
      `[${expected.map((m) => m.clientMessageId)}], got ${got ? `[${gotMessages}]` : describeResponse(response)}`,
    diverge,
  );
  session.lastUsed = run.clock.now();
}
