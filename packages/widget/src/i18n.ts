/** The widget's few words, per locale; `Signet('messenger:set', 'locale', tag)` picks one. */
const STRINGS = {
  en: {
    title: 'Messages',
    open: 'Open messages',
    close: 'Close messages',
    placeholder: 'Write a message…',
    send: 'Send',
    you: 'You',
    team: 'Support',
    bot: 'Assistant',
    today: 'Today',
    yesterday: 'Yesterday',
    connecting: 'Connecting…',
    offline: 'Offline — reconnecting',
    sending: 'Sending…',
    failed: 'Not sent',
    verified: 'Sent while signed in',
    empty: 'Ask us anything. We usually reply within minutes.',
    unread: (n: number) => `${n} unread message${n === 1 ? '' : 's'}`,
    typing: (name: string) => `${name} is typing…`,
  },
  fr: {
    title: 'Messages',
    open: 'Ouvrir les messages',
    close: 'Fermer les messages',
    placeholder: 'Écrivez un message…',
    send: 'Envoyer',
    you: 'Vous',
    team: 'Support',
    bot: 'Assistant',
    today: "Aujourd'hui",
    yesterday: 'Hier',
    connecting: 'Connexion…',
    offline: 'Hors ligne — reconnexion',
    sending: 'Envoi…',
    failed: 'Non envoyé',
    verified: 'Envoyé en étant connecté',
    empty: 'Posez-nous votre question. Nous répondons en général en quelques minutes.',
    unread: (n: number) => `${n} message${n === 1 ? '' : 's'} non lu${n === 1 ? '' : 's'}`,
    typing: (name: string) => `${name} écrit…`,
  },
} as const;

export type Strings = (typeof STRINGS)[keyof typeof STRINGS];

export function stringsFor(locale: string): Strings {
  const language = locale.toLowerCase().split('-')[0] as keyof typeof STRINGS;
  return STRINGS[language] ?? STRINGS.en;
}
