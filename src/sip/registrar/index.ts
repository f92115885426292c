/** Public face of sip/registrar: the pure REGISTER core and the store it needs. */
export { processRegister, validatePolicy } from './process-register.ts';
export type { ContactFact, RegisterFacts, RegistrarPolicy, RegisterResponse, RegisterOutcome } from './process-register.ts';
export type { Binding, BindingStore } from './binding-types.ts';
export { bindingKey, normaliseContactUri } from './contact-key.ts';
export { REGISTRAR_REJECT_CODES, REGISTRAR_ERROR_CODES, RegistrarPolicyError } from './errors.ts';
export type { RegistrarRejectCode } from './errors.ts';
