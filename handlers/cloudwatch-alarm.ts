import { cloudWatchAlarmDetailSchema, normaliseCloudWatchAlarm } from '../events/alerts.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';

export const CLOUDWATCH_ALERT_SOURCE = 'yobidashi.cloudwatch';

/** CloudWatch "Alarm State Change" → AlertReceived in the flat format (mapping: events/alerts.ts). */
export function cloudWatchAlarmHandler(deps: DepsFor<'cloudwatch-alarm'>) {
  return onEvent('cloudwatch-alarm', deps, async (envelope, log) => {
    const alarm = cloudWatchAlarmDetailSchema.parse(envelope.detail);
    const alert = normaliseCloudWatchAlarm(alarm, envelope.resources);
    if (!alert) return log.info('alarm state ignored', { alarmName: alarm.alarmName, state: alarm.state.value });
    await deps.bus.publish([{ source: CLOUDWATCH_ALERT_SOURCE, detailType: 'AlertReceived', detail: alert }]);
  });
}
