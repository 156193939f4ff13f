import { cloudWatchAlarmDetailSchema, normaliseCloudWatchAlarm } from '../events/alerts.ts';
import { onEvent, type Deps } from './lib/deps.ts';

export const CLOUDWATCH_ALERT_SOURCE = 'yobidashi.cloudwatch';

/** CloudWatch "Alarm State Change" → AlertReceived in the flat format (mapping: events/alerts.ts). */
export function cloudWatchAlarmHandler(deps: Deps) {
  return onEvent('cloudwatch-alarm', deps, async (envelope, log) => {
    const alarm = cloudWatchAlarmDetailSchema.parse(envelope.detail);
    const alert = normaliseCloudWatchAlarm(alarm, envelope.resources);
    if (!alert) return log.info('alarm state ignored', { alarmName: alarm.alarmName, state: alarm.state.value });
    await deps.bus.publish([{ source: CLOUDWATCH_ALERT_SOURCE, detailType: 'AlertReceived', detail: alert }]);
  });
}
