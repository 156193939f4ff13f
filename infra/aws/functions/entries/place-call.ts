import { placeCallHandler } from '../../../../handlers/place-call.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { telephony } from '../ports/telephony.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('place-call', { store, telephony, scheduler, bus }, placeCallHandler);
