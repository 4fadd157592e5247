// Errors a CLI command may throw; only cli/index.ts turns them into output and exit codes.

/** Something the user can fix (bad file, refused action): message printed, exit 1. */
export class UserError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** Bad flags or arguments: one line naming the flag and the choices, exit 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
