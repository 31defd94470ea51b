/**
 * Timeline entries in words, as an agent reads them in the user panel: "Logged in with
 * key 'Web shop'; matched by external id 42; email ada@example.com attached, verified".
 */
type Data = Record<string, unknown>;
export type KeyNames = ReadonlyMap<string, string>;

export function describeEntry(kind: string, data: Data, keys: KeyNames): string {
  const by = actorText(data.actor, keys);
  switch (kind) {
    case 'created':
      return createdText(data.actor, keys);
    case 'identity_attached':
      return `${identityText(data)} attached${data.type === 'email' ? (data.verified ? ', verified' : ', unverified') : ''}${sourceText(data.source)} ${by}`;
    case 'identity_verified':
      return `Email ${data.value} verified ${by}`;
    case 'identity_detached':
      return `${identityText(data)} removed ${by}`;
    case 'name_changed':
      return `Name ${data.from === null ? 'set' : `changed from "${data.from}"`} to "${data.to}" ${by}`;
    case 'tags_changed':
      return `Tags set to ${list(data.to)} (were ${list(data.from)}) ${by}`;
    case 'login':
      return loginText(data, keys);
    case 'email_conflict':
      return `Email ${data.email} not attached: user ${data.otherUserId} holds it verified with another external id (two directory users never merge)`;
    case 'merged_in':
      return `User ${data.fromUserId} merged in ${causeText(data, keys)}: ${movedText(data)}`;
    case 'merged_out':
      return `Merged into user ${data.intoUserId} ${causeText(data, keys)}: ${movedText(data)}`;
    case 'unmerged':
      return data.restoredUserId
        ? `Merge of user ${data.restoredUserId} undone ${by}: ${movedBackText(data)}`
        : `Restored from user ${data.survivorId} ${by}: ${movedBackText(data)}`;
    case 'erased':
      return `Erased ${by}: every personal field is gone`;
    default:
      return kind;
  }
}

function actorText(actor: unknown, keys: KeyNames): string {
  const a = (actor ?? { by: 'system' }) as Data;
  switch (a.by) {
    case 'login':
      return `by a login with key ${keyText(a.kid, keys)}`;
    case 'api':
      return `through the API (token "${a.name}")`;
    case 'agent':
      return `by ${a.name} in the app`;
    case 'form':
      return "in the messenger's form";
    case 'messenger':
      return 'in the messenger';
    default:
      return 'by Signet';
  }
}

function createdText(actor: unknown, keys: KeyNames): string {
  const a = (actor ?? {}) as Data;
  if (a.by === 'messenger') return 'Created as an anonymous visitor in the messenger';
  return `Created ${actorText(actor, keys)}`;
}

function keyText(kid: unknown, keys: KeyNames): string {
  const name = typeof kid === 'string' ? keys.get(kid) : undefined;
  return name ? `"${name}"` : `${kid}`;
}

function identityText(data: Data): string {
  return data.type === 'external_id' ? `External id ${data.value}` : `Email ${data.value}`;
}

function sourceText(source: unknown): string {
  return source === 'form' ? ' (typed by the visitor; it never matches or merges)' : '';
}

const RESOLUTION: Record<string, (d: Data) => string> = {
  created: (d) => `a new user for external id ${d.externalId}`,
  matched_external_id: (d) => `matched by external id ${d.externalId}`,
  matched_email: (d) => `matched by verified email ${d.email}; external id ${d.externalId} attached`,
  merged_email_user: (d) =>
    `matched by external id ${d.externalId}; the email-only user holding ${d.email} merged in`,
};

const EMAIL: Record<string, (d: Data) => string> = {
  attached: (d) => `email ${d.email} attached, verified`,
  attached_unverified: (d) => `email ${d.email} kept unverified`,
  ignored_unverified: (d) => `unverified email ${d.email} ignored (setting unverifiedEmail: ignore)`,
  conflict: (d) => `email ${d.email} not attached: another user holds it verified`,
  none: () => 'no email in the token',
};

function loginText(data: Data, keys: KeyNames): string {
  const actor = (data.actor ?? {}) as Data;
  const parts = [
    `Logged in with key ${keyText(actor.kid, keys)}`,
    RESOLUTION[String(data.resolution)]?.(data) ?? String(data.resolution),
    EMAIL[String(data.emailOutcome)]?.(data) ?? String(data.emailOutcome),
  ];
  if (data.mergedAnonymous) parts.push("the device's anonymous history joined");
  return parts.join('; ');
}

function causeText(data: Data, keys: KeyNames): string {
  switch (data.cause) {
    case 'hand':
      return `by hand, ${actorText(data.actor, keys)}`;
    case 'email_user':
      return `because a login with key ${keyText((data.actor as Data | undefined)?.kid, keys)} carried its verified email`;
    case 'anonymous':
      return 'as the anonymous history of the device that logged in';
    default:
      return '';
  }
}

function identitiesText(data: Data): string[] {
  const identities = (data.identities as { type: string; value: string }[] | undefined) ?? [];
  return identities.map((i) => (i.type === 'external_id' ? `external id ${i.value}` : `email ${i.value}`));
}

function movedText(data: Data): string {
  const moved = identitiesText(data);
  return [
    moved.length > 0 ? `moved ${moved.join(', ')}` : 'no identities moved',
    `${data.conversations} conversation(s), ${data.messages} message(s)`,
    `${data.sessionsEnded} session(s) ended`,
  ].join('; ');
}

function movedBackText(data: Data): string {
  const moved = identitiesText(data);
  return [
    moved.length > 0 ? `moved back ${moved.join(', ')}` : 'no identities moved back',
    `${data.conversations} conversation(s), ${data.messages} message(s)`,
  ].join('; ');
}

function list(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(', ') : 'none';
}
