import { describe, expect, it } from 'vitest';
import { renderPlaceholders, unknownPlaceholders } from './placeholders.ts';

const ada = { name: 'Ada King Lovelace', email: 'ada@example.com', externalId: '42', authenticated: true };
const nobody = { name: null, email: null, externalId: null, authenticated: false };

describe('bot placeholders', () => {
  it('fills user and requester fields, with fallbacks', () => {
    expect(
      renderPlaceholders('Hi {{user.first_name}} ({{requester.email}}, #{{ user.external_id }})', ada),
    ).toBe('Hi Ada (ada@example.com, #42)');
    expect(renderPlaceholders('Hi {{requester.first_name | "there"}}!', nobody)).toBe('Hi there!');
    expect(renderPlaceholders('{{user.name}}|{{user.authenticated}}', ada)).toBe('Ada King Lovelace|true');
  });

  it('leaves markup in values as text; the UIs render text nodes', () => {
    expect(renderPlaceholders('Hi {{user.name}}', { ...nobody, name: '<script>alert(1)</script>' })).toBe(
      'Hi <script>alert(1)</script>',
    );
  });

  it('names unknown placeholders', () => {
    expect(unknownPlaceholders('Hi {{user.nickname}} and {{customer.name}} {{user.name}}')).toEqual([
      '{{user.nickname}}',
      '{{customer.name}}',
    ]);
    expect(unknownPlaceholders('{{ user.first_name | "x" }}')).toEqual([]);
  });
});
