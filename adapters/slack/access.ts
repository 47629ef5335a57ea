import type { webApi } from '@slack/bolt';
import type { Logger } from '../../bots/log.js';

/**
 * Who may act on the desk (issue 16, fault 5). A request Slack signed proves only that it came
 * from the workspace: any channel the app is in, any member. The desk acts only on requests from
 * its own channels (the agents' and the category channels) and, when an agents' user group is
 * configured, only for members of that group or of the supervisors' group. Membership is read
 * with usergroups.users.list (scope usergroups:read) and kept for MEMBERS_FRESH_MS.
 */

/** How long a user group's member list is trusted before it is read again (ms). */
export const MEMBERS_FRESH_MS = 60_000;

/**
 * Why a request may not act: `channel`, it came from a channel that is not the desk's; `member`,
 * its user is in none of the allowed groups; `unchecked`, membership could not be read (Slack
 * unreachable and nothing read before).
 */
export type Refusal = 'channel' | 'member' | 'unchecked';

export interface DeskAccessOptions {
  client: webApi.WebClient;
  /** The desk's channels (ids): the agents' and the category channels; read per request. */
  deskChannels: () => readonly string[];
  /** User groups (`S0123…`) whose members may act; empty: anyone in a desk channel may. */
  groups: readonly string[];
  log: Logger;
  /** Epoch ms, for the member lists' freshness. */
  clock: () => number;
}

interface Members {
  users: ReadonlySet<string>;
  /** When the list was read (epoch ms). */
  at: number;
}

export class DeskAccess {
  private readonly members = new Map<string, Members>();
  private readonly reading = new Map<string, Promise<Members>>();

  constructor(private readonly options: DeskAccessOptions) {}

  /** Whether `channel` is one of the desk's channels. */
  isDeskChannel(channel: string | undefined): boolean {
    return channel !== undefined && this.options.deskChannels().includes(channel);
  }

  /**
   * Why `user` may not act in `channel`, or undefined when they may. Never throws: a member list
   * that cannot be read is `unchecked` unless one was read before, which is then used (and logged).
   */
  async refusal(channel: string | undefined, user: string): Promise<Refusal | undefined> {
    if (!this.isDeskChannel(channel)) return 'channel';
    const { groups } = this.options;
    if (groups.length === 0) return undefined;
    let unchecked = false;
    for (const group of groups) {
      const members = await this.membersOf(group);
      if (members === undefined) unchecked = true;
      else if (members.has(user)) return undefined;
    }
    return unchecked ? 'unchecked' : 'member';
  }

  /** A group's members: fresh from the cache, else read (one read at a time per group); undefined when unreadable. */
  private async membersOf(group: string): Promise<ReadonlySet<string> | undefined> {
    const cached = this.members.get(group);
    if (cached && this.options.clock() - cached.at < MEMBERS_FRESH_MS) return cached.users;
    let read = this.reading.get(group);
    if (!read) {
      read = this.read(group).finally(() => this.reading.delete(group));
      this.reading.set(group, read);
    }
    try {
      const members = await read;
      this.members.set(group, members);
      return members.users;
    } catch (err) {
      this.options.log.warn('usergroups.users.list failed; desk access goes by the last member list read', {
        group,
        error: String(err),
        lastReadAt: cached?.at,
      });
      return cached?.users;
    }
  }

  private async read(group: string): Promise<Members> {
    const at = this.options.clock();
    const answer = await this.options.client.usergroups.users.list({ usergroup: group });
    return { users: new Set(answer.users ?? []), at };
  }
}
