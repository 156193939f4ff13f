import { timelineHandler } from '../../../../handlers/timeline.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';

export const handler = handlerEntry('timeline', { store }, timelineHandler);
