import { cloudWatchAlarmHandler } from '../../../../handlers/cloudwatch-alarm.ts';
import { handlerEntry } from '../lambda-entry.ts';
import { store } from '../ports/store.ts';
import { bus } from '../ports/bus.ts';

export const handler = handlerEntry('cloudwatch-alarm', { store, bus }, cloudWatchAlarmHandler);
