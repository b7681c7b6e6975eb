/**
 * An error a person is meant to read: it carries a stable code (`INCIDENT.NOT_FOUND`) that the
 * adapters translate through the message catalogs, the parameters the message needs, and,
 * for bad input, the field it is about.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
