import type { Collection } from '@signet/protocol';
import type { ArticleRow } from './articles.repository.ts';
import { escapeHtml as e } from './markdown.ts';
import { articlePath } from './read-articles.ts';

/**
 * The help center's HTML (HELP.md "Surfaces"): plain server-rendered pages that read
 * without JavaScript. Every dynamic value goes through escapeHtml; article bodies and
 * snippets arrive already sanitized and escaped (markdown.ts, snippet.ts).
 */
export const HELP_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1f2937; background: #fafaf9; line-height: 1.55; }
header { background: #1c1917; color: #fafaf9; padding: 14px 24px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header a { color: inherit; text-decoration: none; font-weight: 600; }
header form { margin-left: auto; display: flex; gap: 6px; }
input[type=search] { padding: 6px 8px; min-width: 220px; }
main { max-width: 760px; margin: 24px auto; padding: 0 20px; }
.card { background: #fff; border: 1px solid #e7e5e4; border-radius: 10px; padding: 14px 16px; margin: 10px 0; }
.card h2, .card h3 { margin: 0 0 4px; font-size: 18px; }
.muted { color: #57534e; font-size: 14px; }
mark { background: #fde68a; }
article img { max-width: 100%; }
pre { background: #f5f5f4; padding: 10px; overflow-x: auto; }
`;

type Layout = { title: string; body: string; noindex?: boolean; query?: string };

export function layout({ title, body, noindex, query }: Layout): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${noindex ? '<meta name="robots" content="noindex">\n' : ''}<title>${e(title)} — Help center</title>
<link rel="stylesheet" href="/help/help.css">
</head>
<body>
<header><a href="/help">Help center</a>
<form action="/help/search" method="get" role="search"><input type="search" name="q" aria-label="Search articles" value="${e(query ?? '')}" maxlength="200"><button type="submit">Search</button></form>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function homePage(collections: Array<Collection & { articleCount: number }>): string {
  const cards = collections
    .map(
      (
        c,
      ) => `<div class="card"><h2><a href="/help/collections/${e(encodeURIComponent(c.id))}">${e(c.title)}</a></h2>
<p class="muted">${e(c.description)} · ${c.articleCount} ${c.articleCount === 1 ? 'article' : 'articles'}</p></div>`,
    )
    .join('\n');
  return `<h1>How can we help?</h1>\n${cards || '<p class="muted">No articles yet.</p>'}`;
}

export function collectionPage(collection: Collection, articles: ArticleRow[]): string {
  const items = articles
    .map((a) => `<div class="card"><h3><a href="${e(articlePath(a.id))}">${e(a.title)}</a></h3></div>`)
    .join('\n');
  return `<p class="muted"><a href="/help">Help center</a></p>
<h1>${e(collection.title)}</h1>
<p class="muted">${e(collection.description)}</p>
${items || '<p class="muted">No articles here yet.</p>'}`;
}

export function articlePage(article: ArticleRow, html: string, collection: Collection | undefined): string {
  const crumb = collection
    ? ` › <a href="/help/collections/${e(encodeURIComponent(collection.id))}">${e(collection.title)}</a>`
    : '';
  return `<p class="muted"><a href="/help">Help center</a>${crumb}</p>
<article><h1>${e(article.title)}</h1>
${html}
</article>`;
}

export function searchPage(
  query: string,
  hits: Array<{ title: string; url: string; snippet: string }>,
): string {
  const items = hits
    .map(
      (h) =>
        `<div class="card"><h3><a href="${e(h.url)}">${e(h.title)}</a></h3><p class="muted">${h.snippet}</p></div>`,
    )
    .join('\n');
  const heading = query ? `Results for “${e(query)}”` : 'Search';
  return `<h1>${heading}</h1>\n${query && !items ? '<p class="muted">No articles match.</p>' : items}`;
}

export function notFoundPage(): string {
  return '<h1>Not found</h1>\n<p>There is no such page here. <a href="/help">Back to the help center</a>.</p>';
}

export function expiredLinkPage(): string {
  return '<h1>This link has expired</h1>\n<p>Help links work once, for a minute. Open the article again from the messenger, or <a href="/help">browse the help center</a>.</p>';
}

export function sitemap(origin: string, articles: ArticleRow[]): string {
  const urls = articles
    .map(
      (a) =>
        `<url><loc>${e(origin + articlePath(a.id))}</loc><lastmod>${new Date(a.updated_at).toISOString()}</lastmod></url>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}
