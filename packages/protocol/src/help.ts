import { type Static, Type } from '@sinclair/typebox';
import { Cursor, Id, Limit, Timestamp } from './common.ts';

/** IDENTITY.md §2: a tag is 1..64 of a-z 0-9 _ - : . (lowercased on arrival). */
export const Tag = Type.String({ pattern: '^[A-Za-z0-9_\\-:.]{1,64}$' });
const Tags = Type.Array(Tag, { maxItems: 50 });

/** HELP.md "Model": who may read an article. */
export const Audience = Type.Union([
  Type.Object({ type: Type.Literal('everyone') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('signed_in') }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('segment'), tagsAll: Type.Optional(Tags), tagsAny: Type.Optional(Tags) },
    { additionalProperties: false },
  ),
]);
export type Audience = Static<typeof Audience>;

export const ArticleStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);

export const Collection = Type.Object(
  {
    id: Id,
    title: Type.String(),
    description: Type.String(),
    position: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Collection = Static<typeof Collection>;

const Title = Type.String({ minLength: 1, maxLength: 255 });
const Description = Type.String({ maxLength: 1000 });
const Position = Type.Integer({ minimum: 0, maximum: 1_000_000 });
/** Markdown; the request body limit (64 KiB) bounds it before this does. */
const Body = Type.String({ maxLength: 60_000 });

export const CreateCollectionBody = Type.Object(
  { title: Title, description: Type.Optional(Description), position: Type.Optional(Position) },
  { additionalProperties: false },
);
export type CreateCollectionBody = Static<typeof CreateCollectionBody>;
export const UpdateCollectionBody = Type.Partial(CreateCollectionBody, { additionalProperties: false });
export type UpdateCollectionBody = Static<typeof UpdateCollectionBody>;

export const Article = Type.Object(
  {
    id: Id,
    collectionId: Id,
    title: Type.String(),
    body: Type.String(),
    status: ArticleStatus,
    audience: Audience,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    publishedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);
export type Article = Static<typeof Article>;

export const CreateArticleBody = Type.Object(
  {
    collectionId: Id,
    title: Title,
    body: Type.Optional(Body),
    status: Type.Optional(ArticleStatus),
    audience: Type.Optional(Audience),
  },
  { additionalProperties: false },
);
export type CreateArticleBody = Static<typeof CreateArticleBody>;
export const UpdateArticleBody = Type.Partial(CreateArticleBody, { additionalProperties: false });
export type UpdateArticleBody = Static<typeof UpdateArticleBody>;

export const ArticleListQuery = Type.Object(
  {
    collectionId: Type.Optional(Id),
    status: Type.Optional(ArticleStatus),
    query: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ArticleListQuery = Static<typeof ArticleListQuery>;

export const CheckAccessBody = Type.Object({ userId: Id }, { additionalProperties: false });
export const AccessDecision = Type.Object(
  { canRead: Type.Boolean(), reason: Type.String() },
  { additionalProperties: false },
);
export type AccessDecision = Static<typeof AccessDecision>;

/** A search hit: `snippet` is HTML, escaped text with the matched words in `<mark>`. */
export const ArticleHit = Type.Object(
  { id: Id, collectionId: Id, title: Type.String(), snippet: Type.String(), url: Type.String() },
  { additionalProperties: false },
);
export type ArticleHit = Static<typeof ArticleHit>;
export const ArticleHits = Type.Object(
  { data: Type.Array(ArticleHit), nextCursor: Cursor },
  { additionalProperties: false },
);

export const ClientArticleQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 10 })),
  },
  { additionalProperties: false },
);

/** An article as a reader gets it: the body rendered to sanitized HTML. */
export const RenderedArticle = Type.Object(
  {
    id: Id,
    collectionId: Id,
    title: Type.String(),
    html: Type.String(),
    updatedAt: Timestamp,
    url: Type.String(),
  },
  { additionalProperties: false },
);
export type RenderedArticle = Static<typeof RenderedArticle>;

export const HelpTicketBody = Type.Object({ articleId: Type.Optional(Id) }, { additionalProperties: false });
export const HelpTicket = Type.Object({ url: Type.String() }, { additionalProperties: false });

export const PreviewBody = Type.Object(
  { body: Type.String({ maxLength: 60_000 }) },
  { additionalProperties: false },
);
export const Preview = Type.Object({ html: Type.String() }, { additionalProperties: false });

/** A collection or an article in a path, by id. */
export const HelpItemParams = Type.Object({ id: Type.String() });
