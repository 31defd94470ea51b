/**
 * Row types as both databases store them. Booleans are 0/1 integers and times are
 * epoch milliseconds on both dialects, so repositories convert in one place.
 */
import type { SessionEndReason } from '@signet/protocol';
import type { Generated } from 'kysely';

export type Flag = 0 | 1;

export interface SigningKeyRow {
  kid: string;
  name: string;
  secret_sealed: string;
  secret_prefix: string;
  created_at: number;
  last_used_at: number | null;
  /** Deleted keys stay, secret wiped, so a token naming one can be explained. */
  deleted_at: number | null;
}

export interface UserRow {
  id: string;
  name: string | null;
  anonymous: Flag;
  authenticated: Flag;
  last_authenticated_at: number | null;
  merged_into: string | null;
  erased_at: number | null;
  /** JSON array of the business's tags (IDENTITY.md §2), replaced by each login carrying them. */
  tags: string;
  created_at: number;
  updated_at: number;
}

export interface IdentityRow {
  id: string;
  user_id: string;
  type: 'external_id' | 'email';
  value: string;
  /** The comparison form: exact for external ids, trimmed lower case for emails. */
  normalized: string;
  verified: Flag;
  is_primary: Flag;
  source: 'jwt' | 'api' | 'agent' | 'form';
  created_at: number;
}

export interface ClientSessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  authenticated: Flag;
  kid: string | null;
  token_expires_at: number | null;
  /**
   * IDENTITY.md §7: an authenticated session ends here (token exp + leeway, or the
   * configured hours); an anonymous one ends here unless used, and each use moves it on.
   */
  expires_at: number | null;
  /** The external id of the token that authenticated it: a merge keeps it only for the survivor's own. */
  external_id: string | null;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
  ended_reason: SessionEndReason | null;
}

export type MergeCause = 'hand' | 'email_user' | 'anonymous';

/** One identity decision about a user (identity/journal.ts lists the kinds). */
export interface JournalRow {
  id: string;
  user_id: string;
  kind: string;
  /** JSON: what was decided, by whom, with what. */
  data: string;
  created_at: number;
}

export interface MergeRow {
  id: string;
  from_user_id: string;
  into_user_id: string;
  cause: MergeCause;
  /** JSON `MergeRecord` (identity/merge-record.ts): what moved, so it can be explained and undone. */
  record: string;
  created_at: number;
}

export interface AuthEventRow {
  id: string;
  created_at: number;
  outcome: string;
  claim: string | null;
  kid: string | null;
  external_id: string | null;
  external_id_verified: Flag;
  user_id: string | null;
  resolution: string | null;
  merged_anonymous: Flag;
  email_outcome: string | null;
  had_exp: Flag | null;
  ip: string | null;
  user_agent: string | null;
}

export interface AgentRow {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  password_hash: string;
  created_at: number;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  token_hash: string;
  role: 'admin' | 'agent';
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AgentSessionRow {
  id: string;
  token_hash: string;
  agent_id: string;
  /** Sent back in `x-csrf-token` on every cookie-authenticated mutation. */
  csrf_token: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface BotStateRow {
  conversation_id: string;
  /** Index of the flow step to run next, or the one waiting for an answer. */
  step: number;
  status: 'running' | 'waiting_details' | 'waiting_choice' | 'waiting_articles' | 'handed_over' | 'done';
  /** The detail asked for while waiting: `name`, `email`, or `email_again` after one miss. */
  awaiting: string | null;
  /** Compare-and-set guard: two nodes never both advance one conversation. */
  version: number;
  updated_at: number;
}

export interface SettingRow {
  key: string;
  value: string;
}

export interface ConversationRow {
  id: string;
  user_id: string;
  status: 'open' | 'pending' | 'solved';
  assignee_id: string | null;
  follow_up_of: string | null;
  channel: string;
  created_at: number;
  updated_at: number;
  last_message_at: number | null;
  /** Newest activity (a message, a status change): the inbox sorts by it. */
  activity_at: number | null;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  user_id: string;
  author_type: 'user' | 'agent' | 'bot' | 'system';
  author_id: string | null;
  text: string;
  authenticated: Flag;
  client_message_id: string | null;
  author_name: string | null;
  created_at: number;
}

export interface EventRow {
  /** The cursor: grows in commit order. */
  id: Generated<number>;
  /** The end user whose devices receive it; null for inbox-only events. */
  user_id: string | null;
  /** Whether agents' inboxes receive it. */
  inbox: Flag;
  type: string;
  payload: string;
  created_at: number;
}

export interface ConversationReadRow {
  conversation_id: string;
  /** `user`, or `agents` for the team's shared marker. */
  reader: 'user' | 'agents';
  message_id: string;
  updated_at: number;
}

export interface HelpCollectionRow {
  id: string;
  title: string;
  description: string;
  position: number;
  created_at: number;
  updated_at: number;
}

export interface HelpArticleRow {
  seq: Generated<number>;
  id: string;
  collection_id: string;
  title: string;
  /** Markdown as written. */
  body: string;
  /** The body as plain text: what search indexes and snippets quote. */
  body_text: string;
  status: 'draft' | 'published';
  audience_type: 'everyone' | 'signed_in' | 'segment';
  /** JSON arrays of tags, which PostgreSQL's reader filter reads; the same tags are rows in help_article_tags for SQLite's. */
  tags_all: string;
  tags_any: string;
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

export interface HelpArticleTagRow {
  article_id: string;
  kind: 'all' | 'any';
  tag: string;
}

export interface HelpPassRow {
  id: string;
  ticket_hash: string;
  cookie_hash: string | null;
  session_id: string;
  /** The client session token, sealed with the master key. */
  session_sealed: string;
  article_id: string | null;
  created_at: number;
  ticket_expires_at: number;
  used_at: number | null;
}

export interface WebhookEndpointRow {
  id: string;
  url: string;
  description: string;
  /** JSON array of event types, or `["*"]`. */
  events: string;
  enabled: Flag;
  disabled_reason: 'admin' | 'gone' | 'failing' | null;
  disabled_at: number | null;
  /** The first failure since the last success: five days of nothing else disables the endpoint. */
  failing_since: number | null;
  secret_sealed: string;
  secret_prefix: string;
  /** After a rotation, the old secret signs too until `previous_secret_until`. */
  previous_secret_sealed: string | null;
  previous_secret_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEventRow {
  /** Outbox order, and the event's `sequence`. */
  seq: Generated<number>;
  /** `evt_…`: the `webhook-id` of every delivery of this event. */
  id: string;
  type: string;
  /** The user it is about, so erasure can find it. */
  user_id: string | null;
  /** JSON of the body's `data`. */
  data: string;
  created_at: number;
  /** 1 once a delivery exists for every endpoint that wanted it. */
  fanned_out: Flag;
}

export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  event_seq: number;
  status: 'pending' | 'delivered' | 'failed';
  attempt_count: number;
  next_attempt_at: number | null;
  /** A node holds the delivery until then; after, any node may take it. */
  lease_until: number | null;
  lease_owner: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptRow {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  at: number;
  http_status: number | null;
  duration_ms: number;
  /** The first 1 KiB of the answer. */
  response: string;
  error: string | null;
}

export interface Database {
  signing_keys: SigningKeyRow;
  users: UserRow;
  identities: IdentityRow;
  client_sessions: ClientSessionRow;
  auth_events: AuthEventRow;
  agents: AgentRow;
  api_tokens: ApiTokenRow;
  agent_sessions: AgentSessionRow;
  bot_states: BotStateRow;
  settings: SettingRow;
  conversations: ConversationRow;
  messages: MessageRow;
  events: EventRow;
  conversation_reads: ConversationReadRow;
  merges: MergeRow;
  identity_journal: JournalRow;
  help_collections: HelpCollectionRow;
  help_articles: HelpArticleRow;
  help_article_tags: HelpArticleTagRow;
  help_passes: HelpPassRow;
  webhook_endpoints: WebhookEndpointRow;
  webhook_events: WebhookEventRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
  meta: MetaRow;
}

/** One fact about the installation (008-meta): the master-key check value. */
export interface MetaRow {
  key: string;
  value: string;
  created_at: number;
}
