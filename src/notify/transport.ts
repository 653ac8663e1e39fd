// Sends one card into a stored conversation: botbuilder's continueConversationAsync. Failures come
// back as a status code and the Retry-After the service asked for, for the delivery rules to judge.
import {
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
} from 'botbuilder';
import type { Card } from '../cards/cards.js';
import type { BotCredentials } from '../config.js';
import type { ConversationRecord } from '../store/schema.js';

export class SendError extends Error {
  constructor(
    /** The HTTP status; 0 when no answer came (network error, timeout). */
    readonly status: number,
    message: string,
    /** The Retry-After header as the service sent it: seconds or an HTTP date (see parseRetryAfter). */
    readonly retryAfter?: string,
  ) {
    super(message);
  }
}

export interface Transport {
  /** Resolves once the service accepted the message; throws SendError otherwise. */
  send(reference: ConversationRecord['reference'], card: Card): Promise<void>;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface PipelineHolder {
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
}

export class BotTransport implements Transport {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(reference: ConversationRecord['reference'], card: Card): Promise<void> {
    try {
      // A failure inside the turn would go to the adapter's onTurnError (the bot apologises in the
      // conversation and swallows it): it is carried out of the turn instead, for the delivery rules.
      let failure: { error: unknown } | undefined;
      await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
        // The Azure pipeline under botbuilder's ConnectorClient retries 408, 429 and 5xx by itself
        // (up to 3 times): the delivery rules decide retries here, so each attempt is one request.
        const connector = context.turnState.get(this.adapter.ConnectorClientKey) as PipelineHolder | undefined;
        connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
        try {
          await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
        } catch (error) {
          failure = { error };
        }
      });
      if (failure) throw failure.error;
    } catch (error) {
      const rest = error as RestErrorLike;
      const status = typeof rest.statusCode === 'number' ? rest.statusCode : 0;
      throw new SendError(status, `${status || rest.code || 'no answer'}: ${String(rest.message ?? error).slice(0, 300)}`, rest.response?.headers?.get('retry-after'));
    }
  }
}

/**
 * A transport of its own for a process that runs no server (`cli notify`): a CloudAdapter with the
 * bot's credentials, so that callers outside the Teams glue need no botbuilder import.
 */
export function standaloneTransport(credentials: BotCredentials): BotTransport {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(credentials as ConfigurationBotFrameworkAuthenticationOptions));
  return new BotTransport(adapter, credentials.MicrosoftAppId ?? '');
}
