/**
 * Request validation: zod schemas for query strings and bodies, turned into a
 * 400 whose JSON body names the offending field.
 */
import type { z } from 'zod';
import { apiError, type ApiErrorBody } from './errors.ts';

export function validate<S extends z.ZodType>(schema: S, input: unknown): { ok: true; value: z.infer<S> } | { ok: false; body: ApiErrorBody } {
  const r = schema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const field = issue === undefined ? '' : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.map(String).join('.');
  return { ok: false, body: apiError('API_BAD_FIELD', `${field || 'body'}: ${issue?.message ?? 'invalid'}`, field) };
}
