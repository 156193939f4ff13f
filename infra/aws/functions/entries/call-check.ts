import { callCheckHandler } from '../../../../handlers/call-check.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { telephony } from '../ports/telephony.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('call-check', { store, telephony, scheduler, bus }, callCheckHandler);
