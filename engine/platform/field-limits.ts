/**
 * The longest identifier or text a person may type into a campaign file or a command. These are
 * part of what the data means (a client code is a short key, not a document), so they are fixed
 * here rather than configured; the sizes of files and list cells, which depend on the
 * installation's lists, are in the config (`limits`, engine/platform/config.ts). README.md lists
 * both.
 */
export const FIELD_LIMITS = {
  /** Codes and keys: client, agent, trunk, question ids, dialplan contexts, user names. */
  code: 64,
  /** Names of campaigns, clients, agents and people (received by, approved by). */
  name: 200,
  /** References (a list's source, an approval document) and Asterisk endpoints, sound URIs. */
  reference: 256,
  /** A caller id as Asterisk takes it: `"Name" <number>`. */
  callerId: 80,
  /** Free text: notes, reasons, prompts. */
  text: 2000,
} as const;
