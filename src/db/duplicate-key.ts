/** MongoDB's (and FerretDB's) duplicate key error: the insert that would claim a unique key lost. */
export const isDuplicateKey = (error: unknown): boolean => (error as { code?: number }).code === 11000;
