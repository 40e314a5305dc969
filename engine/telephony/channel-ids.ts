import { createHash, randomBytes } from 'node:crypto';

/**
 * Channel and bridge ids that say which engine made them. Several engines may share one
 * Asterisk and one Stasis app; each must touch only its own channels, so every id starts with
 * the engine's tag, and a reconcile sweeps only ids that carry its own tag.
 *
 * The tag is `e` + 10 lowercase hex digits of sha256(engine id): the same engine id (configured,
 * stable across restarts) always gives the same tag, whatever its length; two tags of equal
 * length never start one another, and a tag followed by `-` is never the start of a UUID (8 hex
 * digits, then `-`), the usual id of other ARI applications.
 *
 * Asterisk 22 refuses (409) a new channel id that is a case-insensitive prefix of a live one
 * (../shared/ari-traces/channel_id_prefix_conflict.json). Channel ids here are
 * `<tag>-<name>.<10 hex>` with a dot-free name and lowercase hex: if one such id started
 * another, their first dots would sit at the same place, so names and suffixes would be equal
 * and the ids the same. No id made here is a prefix of another.
 */
export const ENGINE_TAG_LENGTH = 11;
const TAG = /^e[0-9a-f]{10}$/;
const NAME = /^[A-Za-z0-9_-]+$/;

export function engineTag(engineId: string): string {
  return `e${createHash('sha256').update(engineId, 'utf8').digest('hex').slice(0, 10)}`;
}

export function isEngineTag(tag: string): boolean {
  return TAG.test(tag);
}

/** A new channel id of this engine: `<tag>-<name>.<10 random hex>`. `name` is [A-Za-z0-9_-]. */
export function newChannelId(tag: string, name: string): string {
  if (!NAME.test(name)) throw new RangeError(`channel name ${JSON.stringify(name)} is not [A-Za-z0-9_-]+`);
  return `${tag}-${name}.${randomBytes(5).toString('hex')}`;
}

/** Whether a channel or bridge id was made by the engine with this tag. */
export function carriesTag(id: string, tag: string): boolean {
  return id.length > tag.length + 1 && id.startsWith(`${tag}-`);
}

/** The mixing bridge an agent's leg is parked in, one per login. */
export function agentBridgeId(tag: string, agentId: string): string {
  return newChannelId(tag, `agent-${agentId}`).replace(`${tag}-`, `${tag}-bridge-`);
}
