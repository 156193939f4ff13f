import { sweepHandler } from '../../../../handlers/sweep.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';
import { failures } from '../ports/failures.ts';

export const handler = handlerEntry('sweep', { store, scheduler, bus, failures }, sweepHandler);
