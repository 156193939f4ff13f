import { heartbeatHandler } from '../../../../handlers/heartbeat.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('heartbeat', { store, scheduler, bus }, heartbeatHandler);
