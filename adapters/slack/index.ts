import type { App } from '@slack/bolt';
import type { Logger } from '../../bots/log.js';
import type { Inbox, LinkStore, TicketStore } from '../../bots/ports.js';
import { SetupError } from '../../bots/errors.js';
import type { DeskText } from '../desk/text.js';
import { DeskAccess } from './access.js';
import { createBoltApp, type BoltOptions } from './bolt.js';
import { SlackDesk } from './desk.js';
import { SlackReceiver } from './receiver.js';
import type { SlackSearchOptions } from './search.js';

export { SLACK_CHANNEL, SLACK_EVENTS_PATH } from './receiver.js';
export { parseThreadMessage, plainText, readMessage, SUBTYPES } from './messages.js';
export { SLACK_LIMITS } from './limits.js';
export { SEARCH_COMMAND } from './search.js';

export interface SlackOptions extends BoltOptions {
  agentChannel: string;
  /** Read when a card is posted, so an edited definition applies without a restart. */
  categoryChannels: () => Record<string, string>;
  supervisorGroup?: string | undefined;
  /**
   * The agents' user group (`S0123…`): when set, only its members and the supervisors' group's
   * may act on the desk (buttons, thread replies, `/tickets`); anyone in a desk channel otherwise.
   */
  agentGroup?: string | undefined;
  /** Messages starting with this stay internal (never reach the customer). */
  internalPrefix: string;
  /** The agents' language on the desk. */
  deskText: DeskText;
  /** The default definition's time zone (IANA), read when a card is drawn and per `/tickets` search (its dates). */
  timeZone?: (() => string) | undefined;
  /** How long a card's links live after their last use (ms): the conversation's retention (STATE_TTL_DAYS). */
  linkTtlMs: number;
}

export interface SlackDeps {
  /** Where cards and threads are found again (shared by replicas, survives restarts). */
  links: LinkStore;
  /** The tickets `/tickets` searches; without them (or without `timeZone`) the command is not served. */
  tickets?: TicketStore | undefined;
  log: Logger;
  clock: () => number;
}

export interface Slack {
  readonly app: App;
  /** Given to the engine, which posts handoffs through it. */
  readonly desk: SlackDesk;
  /**
   * Builds the receiver once the engine exists (the engine needs the desk first). Once only:
   * it registers Bolt's listeners.
   */
  receiver(inbox: Inbox): SlackReceiver;
}

/** Slack as the agent desk: the desk out (cards, threads) and the receiver in, on one Bolt app. */
export function createSlack(options: SlackOptions, deps: SlackDeps): Slack {
  const { app, http } = createBoltApp(options, deps.log);
  const desk = new SlackDesk({
    client: app.client,
    links: deps.links,
    log: deps.log,
    agentChannel: options.agentChannel,
    categoryChannels: options.categoryChannels,
    supervisorGroup: options.supervisorGroup,
    text: options.deskText,
    internalPrefix: options.internalPrefix,
    timeZone: options.timeZone,
    linkTtlMs: options.linkTtlMs,
  });
  const deskChannels = () => [options.agentChannel, ...Object.values(options.categoryChannels())];
  const access = new DeskAccess({
    client: app.client,
    deskChannels,
    groups: options.agentGroup
      ? [options.agentGroup, ...(options.supervisorGroup ? [options.supervisorGroup] : [])]
      : [],
    log: deps.log,
    clock: deps.clock,
  });
  let built = false;
  return {
    app,
    desk,
    receiver: (inbox) => {
      // A second receiver would register every listener twice, and each event would run twice.
      if (built)
        throw new SetupError('createSlack(...).receiver(inbox) was called twice; build one receiver per Slack app.');
      built = true;
      return new SlackReceiver({
        app,
        http,
        desk,
        inbox,
        internalPrefix: options.internalPrefix,
        log: deps.log,
        clock: deps.clock,
        search: searchOptions(options, deps, deskChannels),
        access,
        text: options.deskText,
      });
    },
  };
}

/** What `/tickets` needs, when the app has it: the desk's channels are the agents' and the categories'. */
function searchOptions(
  options: SlackOptions,
  deps: SlackDeps,
  deskChannels: () => readonly string[],
): SlackSearchOptions | undefined {
  const { tickets } = deps;
  const { timeZone } = options;
  if (!tickets || !timeZone) return undefined;
  return {
    tickets,
    timeZone,
    deskChannels,
    text: options.deskText,
    log: deps.log,
  };
}
