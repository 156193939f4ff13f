import { repageHandler } from '../../../../handlers/repage.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('repage', { store, scheduler, bus }, repageHandler);
