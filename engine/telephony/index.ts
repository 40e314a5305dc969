/** Public entry of engine/telephony: the port, its ARI implementation, and the simulator. */
export { type AriTelephony, type AriTelephonyOptions, createAriTelephony } from './ari/ari-telephony.ts';
export { ariTelephonyFromConfig } from './ari/from-config.ts';
export { carriesTag, engineTag } from './channel-ids.ts';
export { isTelephonyError, TelephonyError, type TelephonyErrorKind } from './errors.ts';
export { causeText, classifyHangup } from './hangup-cause.ts';
export * from './port.ts';
export {
  type AriSimulator,
  type AriSimulatorOptions,
  type AriSimulatorStats,
  simulatorOptionsSchema,
  startAriSimulator,
} from './simulator/start-ari-simulator.ts';
export { DEFAULT_TRUNK_LIMIT, type TrunkLimit, TrunkLimits } from './trunk-limits.ts';
