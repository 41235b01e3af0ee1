/**
 * A problem the user can fix (bad flag, bad setting, Redis unreachable). The CLI prints
 * `message` (and `hint` when given) on one line, without a stack, and exits with code 2.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Something that should never happen: the CLI prints the stack and exits with code 1. */
export class BugError extends Error {
  override readonly name = 'BugError';
}
