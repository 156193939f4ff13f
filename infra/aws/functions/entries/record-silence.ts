import { recordSilenceHandler } from '../../../../handlers/record-silence.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('record-silence', { store, bus }, recordSilenceHandler);
