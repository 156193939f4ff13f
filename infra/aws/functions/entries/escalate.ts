import { applyOutcomeHandler } from '../../../../handlers/apply-outcome.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { scheduler } from '../ports/scheduler.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('escalate', { store, scheduler, bus }, applyOutcomeHandler);
