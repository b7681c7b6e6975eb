/** A pattern matching exactly one of `ids` (taken literally), followed by what `suffix` matches. */
export function anyOf(ids: readonly string[], suffix = ''): RegExp {
  const literal = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:${ids.map(literal).join('|')})${suffix}$`);
}
