import type { ChangeType } from './change-lifecycle';

interface Window {
  start: Date;
  end: Date;
}

const overlaps = (a: Window, b: Window) => a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();

/** The first rule for this type (and risk, when the rule names risks): who approves. */
export function approvalRuleFor<R extends { type: ChangeType; risk?: readonly string[] | undefined }>(rules: readonly R[], type: ChangeType, risk: string): R | undefined {
  return rules.find((r) => r.type === type && (!r.risk || r.risk.includes(risk)));
}

/** The freezes the window falls in that do not allow this type of change. */
export function freezesOver(freezes: readonly { name: string; from: string; to: string; allow: readonly string[] }[], type: ChangeType, window: Window): string[] {
  return freezes.filter((f) => !f.allow.includes(type) && overlaps(window, { start: new Date(f.from), end: new Date(f.to) })).map((f) => f.name);
}

/** These configuration items and those related to them: where another change may collide with one on these. */
export function itemsConcerned(items: readonly string[], cmdb: readonly { key: string; relations: readonly { target: string }[] }[]): string[] {
  return [...new Set([...items, ...relatedItems(items, cmdb).keys()])];
}

/** The configuration items related to these (each relation, either way, one step). */
export function relatedItems(items: readonly string[], cmdb: readonly { key: string; relations: readonly { target: string }[] }[]): Map<string, string> {
  const related = new Map<string, string>();
  for (const ci of cmdb) {
    for (const relation of ci.relations) {
      if (items.includes(ci.key) && !items.includes(relation.target)) related.set(relation.target, ci.key);
      if (items.includes(relation.target) && !items.includes(ci.key)) related.set(ci.key, relation.target);
    }
  }
  return related;
}

export interface Colliding {
  number: string;
  title: string;
  state: string;
  affectedItems: readonly string[];
  windowStart: Date;
  windowEnd: Date;
}

/**
 * The other changes whose window overlaps this one's on the same configuration items or on items
 * related to them (the CMDB's relations): with the item they meet on.
 */
export function collisionsWith<C extends Colliding>(
  change: { number?: string; affectedItems: readonly string[]; windowStart: Date; windowEnd: Date },
  others: readonly C[],
  cmdb: readonly { key: string; relations: readonly { target: string }[] }[],
): { change: C; item: string }[] {
  const related = relatedItems(change.affectedItems, cmdb);
  const window = { start: new Date(change.windowStart), end: new Date(change.windowEnd) };
  return others.flatMap((other) => {
    if (other.number === change.number || !overlaps(window, { start: new Date(other.windowStart), end: new Date(other.windowEnd) })) return [];
    const shared = other.affectedItems.find((item) => change.affectedItems.includes(item) || related.has(item));
    return shared ? [{ change: other, item: shared }] : [];
  });
}
