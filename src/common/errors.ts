/**
 * Base error with a stable code (STYLE G6). Each module keeps its own registry
 * of codes in its errors.ts; docs/errors.md lists every code and a test keeps
 * the two in step.
 */
export class BelfryError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A move a state machine does not allow: a programmer error, never caught silently. */
export class IllegalTransitionError extends BelfryError {
  constructor(machine: string, state: string, event: string) {
    super('COMMON_ILLEGAL_TRANSITION', `${machine}: event ${event} is not allowed in state ${state}`);
  }
}

export const COMMON_ERROR_CODES = ['COMMON_ILLEGAL_TRANSITION'] as const;
