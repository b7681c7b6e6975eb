import type { NotificationAudience } from '../../src/models/notification.model';

/**
 * The web console's conversations, the counterparts of a chat's channels and direct messages:
 * each service's channel, each group's, the major-incident channel and each person's own.
 */
export const conversationOf = {
  service: (key: string) => `service:${key}`,
  group: (key: string) => `group:${key}`,
  person: (personId: string) => `person:${personId}`,
  majorIncidents: 'major-incidents',
};

/** Where a notification for this audience is shown; none for a private reply (the web answers those in the response). */
export function conversationFor(audience: NotificationAudience): string | undefined {
  switch (audience.kind) {
    case 'card':
    case 'thread':
      return conversationOf.service(audience.service);
    case 'major-incident':
      return conversationOf.majorIncidents;
    case 'person':
    case 'person-card':
      return conversationOf.person(audience.personId);
    case 'group-card':
      return conversationOf.group(audience.group);
    default:
      return undefined;
  }
}

/** The one document of a record's card in a conversation (edited in place). */
export const cardMessageId = (conversation: string, recordId: string) => `${conversation}|${recordId}`;

/** Whether the person may read the conversation: every channel, and their own messages. */
export function mayRead(personId: string, conversation: string): boolean {
  if (conversation.startsWith('person:')) return conversation === conversationOf.person(personId);
  return conversation.startsWith('service:') || conversation.startsWith('group:') || conversation === conversationOf.majorIncidents;
}
