import { stopCallHandler } from '../../../../handlers/stop-call.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { telephony } from '../ports/telephony.ts';

export const handler = handlerEntry('stop-call', { store, telephony }, stopCallHandler);
