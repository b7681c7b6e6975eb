import type { ItsmCatalog } from '../config/itsm-catalog';
import type { Role } from '../domain/roles';
import { supportedLocale, type Locale } from '../i18n/translate';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { PersonDoc } from '../models/person.model';

/** The person behind a request, with what the handlers need to authorise and to speak to them. */
export interface Actor {
  id: string;
  name: string;
  email?: string;
  roles: Role[];
  groups: string[];
  locale: Locale;
  timeZone: string;
  /** The platform request being handled (`<platform>:<key>`), and whether it is a replay after a crash. */
  request?: { key: string; replayed: boolean };
}

/** What a platform tells us about a user. */
export interface PlatformProfile {
  platform: 'slack' | 'teams' | 'web';
  /** The platform's user id, qualified by workspace/tenant where ids are not global. */
  userId: string;
  email?: string;
  name?: string;
  locale?: string;
  timeZone?: string;
}

export const personIdForEmail = (email: string) => `email:${email.toLowerCase()}`;

/** How long a recognised platform user's person is reused without reading it again. */
const ACTOR_CACHE_MS = 60_000;
const ACTOR_CACHE_LIMIT = 10_000;
const PLATFORM_ID_KEPT_MS = 10 * 60_000;

/**
 * People and their platform identities. Roles and groups come from the configuration, matched
 * by e-mail, so the same person is the same actor on Slack, Teams and the web.
 */
export class PeopleDirectory {
  /** identity key → the person read for it, and when: every request of a chat user needs its actor. */
  private readonly recent = new Map<string, { person: PersonDoc; at: number }>();
  private readonly platformIds = new Map<string, { id: string; at: number }>();
  private readonly read = new Map<string, { person: PersonDoc | null; at: number }>();

  constructor(
    private readonly models: Models,
    private readonly catalog: ItsmCatalog,
    /** Told when a platform could not describe a user (the request goes on without their profile). */
    private readonly onDescribeFailed?: (identityKey: string, error: unknown) => void,
  ) {}

  /** Stores the configured people (run at start, after the configuration is loaded). */
  async syncFromConfig(): Promise<void> {
    for (const person of this.catalog.config.people) {
      const email = person.email.toLowerCase();
      const identities = [
        ...(person.slack ? [{ platform: 'slack', id: person.slack }] : []),
        ...(person.teams ? [{ platform: 'teams', id: person.teams }] : []),
      ];
      await this.models.Person.updateOne(
        { _id: personIdForEmail(email) },
        {
          $set: {
            email,
            name: person.name,
            roles: person.roles,
            groups: this.catalog.groupsOf(email),
            ...(person.locale ? { locale: person.locale } : {}),
            ...(person.timeZone ? { timeZone: person.timeZone } : {}),
            ...(person.manager ? { manager: person.manager.toLowerCase() } : {}),
          },
          $addToSet: { identities: { $each: identities } },
        },
        { upsert: true },
      );
      for (const identity of identities) {
        await this.models.PlatformIdentity.updateOne(
          { _id: `${identity.platform}:${identity.id}` },
          { $set: { personId: personIdForEmail(email) } },
          { upsert: true },
        );
      }
    }
  }

  /**
   * The actor for a platform user, creating the person on first sight. `describe` is asked for
   * the user's e-mail, name, locale and zone only then (a platform API call the adapter makes).
   * When `describe` fails (a deleted user, the platform down), the person is served all the same
   * as someone without roles, stored under the platform identity; the next request asks again.
   */
  async actorFor(given: PlatformProfile, describe?: () => Promise<Partial<PlatformProfile>>): Promise<Actor> {
    const identityKey = `${given.platform}:${given.userId}`;
    const { known, actor } = await this.recognised(given);
    if (actor) return actor;
    let profile: PlatformProfile = given;
    if (!known && describe) {
      try {
        profile = { ...given, ...(await describe()) };
      } catch (error) {
        // Stored under the identity (so that what they report reaches them back), but without the
        // identity record: the next request asks the platform again.
        this.onDescribeFailed?.(identityKey, error);
        return this.toActor(await this.firstContact(identityKey, given), given);
      }
    }
    const personId = known?.personId ?? (profile.email ? personIdForEmail(profile.email) : identityKey);
    const person = await this.firstContact(personId, profile);
    if (!known) {
      // Inserted, not upserted: two first requests of one newcomer at once (an App Home opened
      // twice) would have one upsert refused with a duplicate key.
      const identity = { _id: identityKey, personId };
      if (!(await insertOnce(this.models.PlatformIdentity, identity))) {
        await retryWhileBusy(() => this.models.PlatformIdentity.updateOne({ _id: identityKey }, { $set: { personId } }));
      }
    }
    return this.toActor(person, profile);
  }

  /**
   * The actor for a platform user already seen; someone not seen yet as a passer-by without roles,
   * in the company's language, stored nowhere and asked nothing of the platform (what a request
   * needs before it is acknowledged: the language of a form's errors).
   */
  async actorIfKnown(given: PlatformProfile): Promise<Actor> {
    const { actor } = await this.recognised(given);
    if (actor) return actor;
    return this.toActor({ _id: `${given.platform}:${given.userId}`, name: given.name ?? given.userId, roles: [], groups: [], identities: [] }, given);
  }

  /** The person behind a platform identity seen before (two lookups by `_id`, or none when recent). */
  private async recognised(given: PlatformProfile): Promise<{ known: { personId: string } | null; actor?: Actor }> {
    const identityKey = `${given.platform}:${given.userId}`;
    const cached = this.recent.get(identityKey);
    if (cached && Date.now() - cached.at < ACTOR_CACHE_MS) return { known: { personId: cached.person._id }, actor: this.toActor(cached.person, given) };
    const known = await this.models.PlatformIdentity.findById(identityKey).lean();
    if (!known) return { known: null };
    const person = await this.models.Person.findById(known.personId).lean<PersonDoc>();
    if (!person) return { known };
    if (this.recent.size >= ACTOR_CACHE_LIMIT) this.recent.clear();
    this.recent.set(identityKey, { person, at: Date.now() });
    return { known, actor: this.toActor(person, given) };
  }

  /**
   * Stores a person seen for the first time by inserting the whole document: FerretDB drops empty
   * arrays given in an upsert's $setOnInsert (docs/storage.md), so no upsert creates a person.
   */
  private async firstContact(personId: string, profile: PlatformProfile): Promise<PersonDoc> {
    const configured = profile.email ? this.catalog.people.get(profile.email.toLowerCase()) : undefined;
    const identity = { platform: profile.platform, id: profile.userId };
    const fresh: PersonDoc = {
      _id: personId,
      name: configured?.name ?? profile.name ?? profile.email ?? profile.userId,
      roles: configured?.roles ?? [],
      groups: profile.email ? this.catalog.groupsOf(profile.email) : [],
      identities: [identity],
      ...(profile.email ? { email: profile.email.toLowerCase() } : {}),
    };
    this.read.delete(personId);
    if (await insertOnce(this.models.Person, fresh)) return fresh;
    const person = await retryWhileBusy(() =>
      this.models.Person.findOneAndUpdate({ _id: personId }, { $addToSet: { identities: identity } }, { returnDocument: 'after' }).lean<PersonDoc>(),
    );
    return person ?? fresh;
  }

  async findById(personId: string): Promise<PersonDoc | null> {
    return this.models.Person.findById(personId).lean<PersonDoc>();
  }

  /**
   * The person's user id on a platform, if known; found ones are kept a while (an identity, once
   * linked, stays), so that drawing a card's people costs no read each time.
   */
  async platformIdOf(personId: string, platform: PlatformProfile['platform']): Promise<string | undefined> {
    const key = `${platform}:${personId}`;
    const kept = this.platformIds.get(key);
    if (kept && Date.now() - kept.at < PLATFORM_ID_KEPT_MS) return kept.id;
    const id = ((await this.recentlyRead(personId))?.identities ?? []).find((i) => i.platform === platform)?.id;
    if (id) {
      if (this.platformIds.size >= ACTOR_CACHE_LIMIT) this.platformIds.clear();
      this.platformIds.set(key, { id, at: Date.now() });
    }
    return id;
  }

  /**
   * The person as read within the last ACTOR_CACHE_MS (or not stored, then): for what only shows
   * them (their language, their platform id), where a minute-old copy is good enough and a storm of
   * messages to the same few people would otherwise read them for each.
   */
  private async recentlyRead(personId: string): Promise<PersonDoc | null> {
    const kept = this.read.get(personId);
    if (kept && Date.now() - kept.at < ACTOR_CACHE_MS) return kept.person;
    const person = await this.findById(personId);
    if (this.read.size >= ACTOR_CACHE_LIMIT) this.read.clear();
    this.read.set(personId, { person, at: Date.now() });
    return person;
  }

  async findByEmail(email: string): Promise<PersonDoc | null> {
    return this.findById(personIdForEmail(email));
  }

  /** The actor for a person we already store (jobs acting for someone, tests). */
  /** How a person reads (for a message nobody asked for in that moment): their language and zone, else the company's. */
  async readerOf(personId: string): Promise<{ locale: Locale; timeZone: string }> {
    const person = await this.recentlyRead(personId);
    const defaults = this.catalog.config.defaults;
    return { locale: supportedLocale(person?.locale) ?? defaults.locale, timeZone: person?.timeZone ?? defaults.timeZone };
  }

  async actorById(personId: string): Promise<Actor | null> {
    const person = await this.findById(personId);
    return person ? this.toActor(person) : null;
  }

  /**
   * A person's roles and groups as the configuration says now, matched by e-mail: what is stored
   * on the person is a record of first contact, never read for authorisation (a person removed
   * from the configuration, or stored without arrays, has none).
   */
  rolesOf(person: Pick<PersonDoc, 'email'>): Role[] {
    return person.email ? [...(this.catalog.people.get(person.email.toLowerCase())?.roles ?? [])] : [];
  }

  groupsOf(person: Pick<PersonDoc, 'email'>): string[] {
    return person.email ? this.catalog.groupsOf(person.email) : [];
  }

  private toActor(person: PersonDoc, profile?: PlatformProfile): Actor {
    const defaults = this.catalog.config.defaults;
    return {
      id: person._id,
      name: person.name,
      ...(person.email ? { email: person.email } : {}),
      roles: this.rolesOf(person),
      groups: this.groupsOf(person),
      // The configured preference wins, then what the platform says, then the company default.
      locale: supportedLocale(person.locale) ?? supportedLocale(profile?.locale) ?? defaults.locale,
      timeZone: person.timeZone ?? profile?.timeZone ?? defaults.timeZone,
    };
  }
}
