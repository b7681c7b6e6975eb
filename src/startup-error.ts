/**
 * Why opsdesk cannot start, for the person starting it: one line saying what is wrong and what to
 * do about it. `main` prints it without a stack trace and exits with 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
