import type { Notifier } from '../../../../handlers/ports.ts';
import { SnsNotifier } from '../../adapters/notifier.ts';
import { required, type Env } from './env.ts';

/** NOTIFY_TOPIC_ARN: the notification topic (context notifyTopicArn, or the stack's own). */
export const notifier = (env: Env): Notifier => new SnsNotifier(required(env, 'NOTIFY_TOPIC_ARN'));
