/**
 * How long (engine time) a customer added to an agent's bridge may take to be seen in it
 * (ChannelEnteredBridge, then the bridge listing both legs) before the engine treats them as one
 * who left it. Asterisk reports the entry within milliseconds of the add in every recorded trace
 * (ari-traces/*bridge*); a customer never seen there is alone, hearing nothing, so the wait is
 * short and well inside the 2-second rule's margin for the retry and the message.
 */
export const BRIDGE_ENTRY_TIMEOUT_MS = 1000;

/** The failed-connect detail recorded when the customer was never seen in the bridge. */
export const BRIDGE_NOT_ENTERED = 'bridge_not_entered';
