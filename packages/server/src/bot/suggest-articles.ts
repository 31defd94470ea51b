import type { Dialect } from '../db/database.ts';
import type { Executor } from '../db/executor.ts';
import type { Viewer } from '../help/can-read.ts';
import { articlePath } from '../help/read-articles.ts';
import { searchArticles } from '../help/search.repository.ts';
import { searchTerms } from '../help/views.ts';
import { parseTags } from '../identity/tags.ts';
import { findUser } from '../identity/users.repository.ts';
import { firstUserMessage } from './bot-states.repository.ts';

export const DEFAULT_SUGGESTION_TEXT = 'These articles might answer your question:';
export const ANSWERED_QUESTION = 'Did that answer your question? (yes / no)';

// Words that say nothing about the question; matching on them would offer any article.
const FILLER = new Set(
  'the and for you your are can how what why when where who with from this that have has not but was were will would could should does did our out get got any all about into just there their them they then than been its it'.split(
    ' ',
  ),
);

/**
 * HELP.md "Bot": the articles the customer may read that match the first message, as the
 * bot's text, or undefined when none do. The reader is the customer as the message was
 * sent: signed in when its session was authenticated then (the message's check mark),
 * with the user's tags; the same rule as every other surface (help/can-read.ts).
 */
export async function suggestArticles(
  db: Executor,
  dialect: Dialect,
  conversationId: string,
  userId: string,
  limit: number,
  text: string | undefined,
): Promise<string | undefined> {
  const first = await firstUserMessage(db, conversationId);
  const terms = searchTerms(first?.text).filter((t) => t.length >= 3 && !FILLER.has(t));
  if (!first || terms.length === 0) return undefined;
  const signedIn = first.authenticated === 1;
  const user = signedIn ? await findUser(db, userId) : undefined;
  const viewer: Viewer = { kind: 'session', sessionId: '', userId, signedIn, tags: parseTags(user?.tags) };
  const hits = await searchArticles(db, dialect, viewer, terms, limit, 'any');
  if (hits.length === 0) return undefined;
  const list = hits.map((h, i) => `${i + 1}. ${h.title} — ${articlePath(h.id)}`).join('\n');
  return `${text?.trim() || DEFAULT_SUGGESTION_TEXT}\n${list}\n${ANSWERED_QUESTION}`;
}

const YES = /^(y|yes|yeah|yep|yup|it did|solved|perfect)\b/i;

/** Anything but a yes goes on with the flow: the customer still needs help. */
export const answeredYes = (answer: string): boolean => YES.test(answer.trim());
