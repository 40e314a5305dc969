/**
 * Names of customer channels (the part of the attempt id after the engine's tag, see
 * engine/telephony/channel-ids.ts): `c<campaign>-k<contact>`. The campaign prefix lets a
 * campaign's recovery sweep only its own calls when one engine runs several campaigns.
 */
export function campaignCallScope(campaignId: number): string {
  return `c${campaignId}-`;
}

export function callName(campaignId: number, contactId: number): string {
  return `${campaignCallScope(campaignId)}k${contactId}`;
}
