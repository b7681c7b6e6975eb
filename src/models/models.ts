import type { Connection, Model } from 'mongoose';
import { auditEventSchema, type AuditEventDoc } from './audit-event.model';
import { cardLocationDocSchema, type CardLocationDoc } from './card-location.model';
import { changeSchema, type ChangeDoc } from './change.model';
import { configurationItemSchema, type ConfigurationItemDoc } from './configuration-item.model';
import { counterSchema, recordKeySchema, type CounterDoc, type RecordKeyDoc } from './counter.model';
import { incidentSchema, type IncidentDoc } from './incident.model';
import { intakeSchema, processBeatSchema, type IntakeDoc, type ProcessBeatDoc } from './intake.model';
import { knowledgeArticleSchema, type KnowledgeArticleDoc } from './knowledge-article.model';
import { personSchema, platformIdentitySchema, type PersonDoc, type PlatformIdentityDoc } from './person.model';
import { problemSchema, type ProblemDoc } from './problem.model';
import { approvalVoteSchema, serviceRequestSchema, type ApprovalVoteDoc, type ServiceRequestDoc } from './service-request.model';
import { slackInstallationSchema, type SlackInstallationDoc } from './slack-installation.model';
import { storedConfigSchema, type StoredConfigDoc } from './stored-config.model';
import { notificationSchema, type NotificationDoc } from './notification.model';
import { digestLineSchema, digestSchema, type DigestDoc, type DigestLineDoc } from './digest.model';
import { paceSlotSchema, type PaceSlotDoc } from './pace-slot.model';
import { listEntrySchema, listPageSchema, listSnapshotSchema, type ListEntryDoc, type ListPageDoc, type ListSnapshotDoc } from './record-list.model';
import { timerCursorSchema, timerIndexSchema, timerSchema, type TimerCursorDoc, type TimerIndexDoc, type TimerDoc } from './timer.model';
import { notificationAttemptSchema, type NotificationAttemptDoc } from './notification.model';
import { webMessageSchema, type WebMessageDoc } from './web-message.model';
import { slotSchema, type SlotDoc } from './slot-log.model';
import { consoleSessionSchema, consoleTokenSchema, type ConsoleSessionDoc, type ConsoleTokenDoc } from './console-access.model';
import { teamsConversationSchema, type TeamsConversationDoc } from './teams-conversation.model';

export interface Models {
  Incident: Model<IncidentDoc>;
  ServiceRequest: Model<ServiceRequestDoc>;
  ApprovalVote: Model<ApprovalVoteDoc>;
  Problem: Model<ProblemDoc>;
  Change: Model<ChangeDoc>;
  KnowledgeArticle: Model<KnowledgeArticleDoc>;
  ConfigurationItem: Model<ConfigurationItemDoc>;
  Person: Model<PersonDoc>;
  PlatformIdentity: Model<PlatformIdentityDoc>;
  AuditEvent: Model<AuditEventDoc>;
  Counter: Model<CounterDoc>;
  RecordKey: Model<RecordKeyDoc>;
  StoredConfig: Model<StoredConfigDoc>;
  CardLocation: Model<CardLocationDoc>;
  SlackInstallation: Model<SlackInstallationDoc>;
  Timer: Model<TimerDoc>;
  TimerIndex: Model<TimerIndexDoc>;
  TimerCursor: Model<TimerCursorDoc>;
  Notification: Model<NotificationDoc>;
  NotificationAttempt: Model<NotificationAttemptDoc>;
  PaceSlot: Model<PaceSlotDoc>;
  Digest: Model<DigestDoc>;
  DigestLine: Model<DigestLineDoc>;
  ListEntry: Model<ListEntryDoc>;
  ListSnapshot: Model<ListSnapshotDoc>;
  ListPage: Model<ListPageDoc>;
  /** In a database of its own (`intakeDatabaseName`): acknowledging never waits for the work's writes. */
  Intake: Model<IntakeDoc>;
  /**
   * Where opsdesk kept its intake before it had a database of its own: read by reconciliation
   * only, so that requests acknowledged before an upgrade are still replayed.
   */
  IntakeInMainDatabase: Model<IntakeDoc>;
  ProcessBeat: Model<ProcessBeatDoc>;
  WebMessage: Model<WebMessageDoc>;
  WebLog: Model<SlotDoc>;
  /** Per Slack channel, the changes of listed tickets waiting for it to be quiet (adapters/slack/quiet-channels.ts). */
  QuietWait: Model<SlotDoc>;
  ConsoleToken: Model<ConsoleTokenDoc>;
  ConsoleSession: Model<ConsoleSessionDoc>;
  TeamsConversation: Model<TeamsConversationDoc>;
}

/**
 * The intake's database beside the application's. On the embedded server each database is a SQLite
 * file whose writes take turns (docs/storage.md §3): with the intake in a file of its own, storing a
 * request before its acknowledgement does not wait behind the writes of earlier requests' work.
 */
export const intakeDatabaseName = (databaseName: string): string => `${databaseName}_intake`;

/** Registers every model on one connection (one per process, or several in tests). */
export function createModels(connection: Connection): Models {
  // The same client and pool, another database.
  const intake = connection.useDb(intakeDatabaseName(connection.name), { useCache: true });
  return {
    Incident: connection.model<IncidentDoc>('Incident', incidentSchema, 'incidents'),
    ServiceRequest: connection.model<ServiceRequestDoc>('ServiceRequest', serviceRequestSchema, 'service_requests'),
    ApprovalVote: connection.model<ApprovalVoteDoc>('ApprovalVote', approvalVoteSchema, 'approval_votes'),
    Problem: connection.model<ProblemDoc>('Problem', problemSchema, 'problems'),
    Change: connection.model<ChangeDoc>('Change', changeSchema, 'changes'),
    KnowledgeArticle: connection.model<KnowledgeArticleDoc>('KnowledgeArticle', knowledgeArticleSchema, 'knowledge_articles'),
    ConfigurationItem: connection.model<ConfigurationItemDoc>('ConfigurationItem', configurationItemSchema, 'configuration_items'),
    Person: connection.model<PersonDoc>('Person', personSchema, 'people'),
    PlatformIdentity: connection.model<PlatformIdentityDoc>('PlatformIdentity', platformIdentitySchema, 'platform_identities'),
    AuditEvent: connection.model<AuditEventDoc>('AuditEvent', auditEventSchema, 'audit_events'),
    Counter: connection.model<CounterDoc>('Counter', counterSchema, 'counters'),
    RecordKey: connection.model<RecordKeyDoc>('RecordKey', recordKeySchema, 'record_keys'),
    StoredConfig: connection.model<StoredConfigDoc>('StoredConfig', storedConfigSchema, 'stored_config'),
    CardLocation: connection.model<CardLocationDoc>('CardLocation', cardLocationDocSchema, 'card_locations'),
    SlackInstallation: connection.model<SlackInstallationDoc>('SlackInstallation', slackInstallationSchema, 'slack_installations'),
    Timer: connection.model<TimerDoc>('Timer', timerSchema, 'timers'),
    TimerIndex: connection.model<TimerIndexDoc>('TimerIndex', timerIndexSchema, 'timer_index'),
    TimerCursor: connection.model<TimerCursorDoc>('TimerCursor', timerCursorSchema, 'timer_cursors'),
    Notification: connection.model<NotificationDoc>('Notification', notificationSchema, 'notifications'),
    NotificationAttempt: connection.model<NotificationAttemptDoc>('NotificationAttempt', notificationAttemptSchema, 'notification_attempts'),
    PaceSlot: connection.model<PaceSlotDoc>('PaceSlot', paceSlotSchema, 'pace_slots'),
    Digest: connection.model<DigestDoc>('Digest', digestSchema, 'digests'),
    DigestLine: connection.model<DigestLineDoc>('DigestLine', digestLineSchema, 'digest_lines'),
    ListEntry: connection.model<ListEntryDoc>('ListEntry', listEntrySchema, 'record_list_entries'),
    ListSnapshot: connection.model<ListSnapshotDoc>('ListSnapshot', listSnapshotSchema, 'record_lists'),
    ListPage: connection.model<ListPageDoc>('ListPage', listPageSchema, 'record_list_pages'),
    Intake: intake.model<IntakeDoc>('Intake', intakeSchema, 'intake'),
    IntakeInMainDatabase: connection.model<IntakeDoc>('IntakeInMainDatabase', intakeSchema, 'intake'),
    ProcessBeat: connection.model<ProcessBeatDoc>('ProcessBeat', processBeatSchema, 'process_beats'),
    WebMessage: connection.model<WebMessageDoc>('WebMessage', webMessageSchema, 'web_messages'),
    WebLog: connection.model<SlotDoc>('WebLog', slotSchema, 'web_logs'),
    QuietWait: connection.model<SlotDoc>('QuietWait', slotSchema, 'quiet_waits'),
    ConsoleToken: connection.model<ConsoleTokenDoc>('ConsoleToken', consoleTokenSchema, 'console_tokens'),
    ConsoleSession: connection.model<ConsoleSessionDoc>('ConsoleSession', consoleSessionSchema, 'console_sessions'),
    TeamsConversation: connection.model<TeamsConversationDoc>('TeamsConversation', teamsConversationSchema, 'teams_conversations'),
  };
}

/** Creates every declared index; autoIndex is off so that this happens once, awaited, at start. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) await model.createIndexes();
}
