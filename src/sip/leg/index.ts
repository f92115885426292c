export { DialogLeg } from './dialog-leg.ts';
export { UasLeg, type UasLegState } from './uas-leg.ts';
export { UacLeg, type UacLegOptions, type UacLegState } from './uac-leg.ts';
export type { BodyWithType, DialogRouting, DialogTarget, InDialogRequest, LegContext, LegEvent, LegListener, LegTransactions } from './leg-types.ts';
export {
  grantedExpires,
  initialTrunkRegistration,
  registrationBackoffMs,
  stepTrunkRegistration,
  TRUNK_REGISTRATION_ERROR_CODES,
  type TrunkRegistrationConfig,
  type TrunkRegistrationEffect,
  type TrunkRegistrationErrorCode,
  type TrunkRegistrationEvent,
  type TrunkRegistrationPhase,
  type TrunkRegistrationState,
  type TrunkRegistrationStep,
} from './trunk-registration.ts';
