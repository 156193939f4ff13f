import { flowResultHandler } from '../../../../handlers/flow-result.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('flow-result', { store, bus }, flowResultHandler);
