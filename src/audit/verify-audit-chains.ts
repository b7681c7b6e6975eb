import type { Model } from 'mongoose';
import type { AuditEventDoc } from '../models/audit-event.model';
import { GENESIS_HASH, hashEvent } from '../services/audit-log';

export interface AuditedRecord {
  _id: unknown;
  number: string;
  version: number;
  auditHead: string;
}

export interface ChainProblem {
  record: string;
  problem: string;
}

/**
 * Walks every record's audit chain: seq 1..version without gaps, each event's hash recomputed
 * from its content and its predecessor, and the last one equal to the record's `auditHead`.
 */
export async function verifyAuditChains(
  events: Model<AuditEventDoc>,
  records: AsyncIterable<AuditedRecord>,
): Promise<{ records: number; events: number; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  let recordCount = 0;
  let eventCount = 0;
  for await (const record of records) {
    recordCount++;
    const recordId = String(record._id);
    const chain = await events.find({ recordId, seq: { $gt: 0 } }).sort({ seq: 1 }).lean();
    eventCount += chain.length;
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    for (const event of chain) {
      if (event.seq !== expectedSeq) {
        problems.push({ record: record.number, problem: `event ${expectedSeq} is missing (found ${event.seq})` });
        break;
      }
      const recomputed = hashEvent(
        {
          recordKind: event.recordKind,
          recordId: event.recordId,
          recordNumber: event.recordNumber,
          action: event.action,
          actor: { id: event.actorId, name: event.actorName },
          at: event.at,
          before: event.before,
          after: event.after,
        },
        event.seq,
        prev,
      );
      if (event.prevHash !== prev) problems.push({ record: record.number, problem: `event ${event.seq} does not follow event ${event.seq - 1}` });
      if (event.hash !== recomputed) problems.push({ record: record.number, problem: `event ${event.seq} was altered` });
      prev = event.hash;
      expectedSeq++;
    }
    if (expectedSeq - 1 !== record.version) {
      problems.push({ record: record.number, problem: `the record is at version ${record.version} but its audit trail ends at ${expectedSeq - 1}` });
    } else if (prev !== record.auditHead) {
      problems.push({ record: record.number, problem: 'the last audit event does not match the record' });
    }
  }
  return { records: recordCount, events: eventCount, problems };
}
