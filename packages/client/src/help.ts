import type { ArticleHit, RenderedArticle } from '@signet/protocol';
import type { Answer, Call } from './http.ts';

export type { ArticleHit, RenderedArticle };

/** A help call the server refused, or could not answer: `status` 0 when it was unreachable. */
export class HelpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`help center: ${code ?? (status === 0 ? 'unreachable' : `HTTP ${status}`)}`);
  }
}

/** Search as you type gives up sooner than a message send: the next keystroke asks again. */
const RETRIES = 2;

/**
 * The help center as the messenger's session reads it (HELP.md "Client API"). What the
 * session may not read is not found: a 404 is `null`, never an error.
 */
export class HelpCenter {
  constructor(private readonly call: Call) {}

  /** Ranked hits; `snippet` is escaped HTML with `<mark>` around matches. An empty query lists what is readable. */
  async search(query: string, limit = 10): Promise<ArticleHit[]> {
    const params = new URLSearchParams({ query: query.trim().slice(0, 200), limit: String(limit) });
    const answer = await this.call('GET', `/v1/client/articles?${params}`, undefined, { retries: RETRIES });
    return ok(answer).data as ArticleHit[];
  }

  /** The article, its body as sanitized HTML; `null` when unknown or not readable by this session. */
  async article(id: string): Promise<RenderedArticle | null> {
    const answer = await this.call('GET', `/v1/client/articles/${encodeURIComponent(id)}`, undefined, {
      retries: RETRIES,
    });
    return answer.status === 404 ? null : (ok(answer) as RenderedArticle);
  }

  /** A one-time link (valid 60 s) that opens the help center signed in as this session, at the article if given. */
  async ticketUrl(articleId?: string): Promise<string> {
    const answer = await this.call('POST', '/v1/client/help-ticket', articleId ? { articleId } : {}, {
      retries: RETRIES,
    });
    return ok(answer).url as string;
  }
}

function ok(answer: Answer) {
  if (answer.status !== 200) throw new HelpError(answer.status, answer.code);
  return answer.body;
}
