import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * HELP.md "Safety": Markdown through a maintained renderer with raw HTML off, then
 * through an allow-list sanitizer (no scripts, handlers, styles or javascript: links).
 * Both layers would have to fail for markup to get through.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'em',
    'strong',
    's',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'http'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const external = /^(https?:)?\/\//i.test(attribs.href ?? '');
      const { rel: _rel, ...rest } = attribs;
      return { tagName, attribs: external ? { ...rest, rel: 'noopener noreferrer' } : rest };
    },
  },
};

export function renderArticleHtml(body: string): string {
  return sanitizeHtml(markdown.render(body), SANITIZE);
}

// Control characters never reach the index or a snippet.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The words a reader sees, without Markdown syntax: what search indexes and quotes. */
export function articlePlainText(body: string): string {
  const parts: string[] = [];
  const walk = (tokens: ReturnType<typeof markdown.parse>) => {
    for (const token of tokens) {
      if (token.children) walk(token.children);
      else if (['text', 'code_inline', 'code_block', 'fence'].includes(token.type)) parts.push(token.content);
      else if (token.type === 'softbreak' || token.type === 'hardbreak') parts.push(' ');
      if (token.block && token.nesting === -1) parts.push(' ');
    }
  };
  walk(markdown.parse(body, {}));
  return parts.join('').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}
