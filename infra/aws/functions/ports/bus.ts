import type { Bus } from '../../../../handlers/ports.ts';
import { EventBridgeBus } from '../../adapters/event-bus.ts';
import { unconfigured, type Env } from './env.ts';

/**
 * BUS_NAME: the stack's own bus (its name derives from the stack name: infra/aws/names.ts), never
 * the default one; without it the port rejects every publish.
 */
export const bus = (env: Env): Bus => (env.BUS_NAME ? new EventBridgeBus(env.BUS_NAME) : unconfigured<Bus>('bus'));
