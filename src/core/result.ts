// The one outcome shape of the core and the services: a value, or a refusal with a stable code that
// callers branch on (never on the sentence) and a sentence a person can read.

export interface Problem<Code extends string = string> {
  code: Code;
  message: string;
}

/** With `never` for P, a use case that cannot refuse: its Result is always the value. */
export type Result<T, P extends Problem = Problem> = { ok: true; value: T } | ([P] extends [never] ? never : { ok: false; problem: P });

export const accept = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const refuse = <Code extends string>(code: Code, message: string): { ok: false; problem: Problem<Code> } => ({ ok: false, problem: { code, message } });
