import { notifyHandler } from '../../../../handlers/notify.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { notifier } from '../ports/notifier.ts';

export const handler = handlerEntry('notify', { store, notifier }, notifyHandler);
