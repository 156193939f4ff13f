import * as z from 'zod';

/**
 * What monitoring tools put on the bus as detail-type `AlertReceived` (any source), and how each
 * accepted shape is normalised. Normalising is pure and lives beside the schemas so the contract
 * and its reading of it cannot drift apart.
 */

const MAX_FIELD = 256;
const name = z.string().trim().min(1, 'must not be empty').max(MAX_FIELD);
const optionalText = z.string().trim().max(2000).optional();
const alertStatus = z.enum(['firing', 'resolved']);

/** One entry of the article's format: `{"alertinfo":[{host, service, lastcheck, systemname}]}`. */
export const alertInfoItemSchema = z.object({
  systemname: name,
  host: name,
  service: name,
  lastcheck: z.union([z.string().trim().max(64), z.number()]).optional(),
  // Extensions beyond the article's four fields, all optional.
  status: alertStatus.optional(),
  severity: z.string().trim().max(32).optional(),
  message: optionalText,
  dedupKey: z.string().trim().min(1).max(512).optional(),
});

export const alertInfoSchema = z.object({
  alertinfo: z.array(z.unknown()).min(1, 'alertinfo must hold at least one alert').max(100),
});

/** The flat format. `status` defaults to `firing` so the simplest tools can omit it. */
export const flatAlertSchema = z.object({
  systemname: name,
  host: name,
  service: name,
  lastcheck: z.union([z.string().trim().max(64), z.number()]).optional(),
  severity: z.string().trim().max(32).optional(),
  message: optionalText,
  status: alertStatus.default('firing'),
  dedupKey: z.string().trim().min(1).max(512).optional(),
});

export type AlertStatus = z.infer<typeof alertStatus>;

export interface NormalisedAlert {
  system: string;
  host: string;
  service: string;
  status: AlertStatus;
  /** As the tool sent it; read by domain/message.ts in the roster's time zone when it has no offset. */
  lastcheck?: string;
  severity?: string;
  message?: string;
  /**
   * The alert's own key: the `dedupKey` it carried (a CloudWatch alarm's ARN), else
   * defaultDedupKey(system, host, service). Which incident it belongs to is its group key
   * (domain/grouping.ts), which also depends on the roster's `groupBy`.
   */
  dedupKey: string;
  /** Set when the tool sent `dedupKey`: that key then is the group key whatever the roster's `groupBy`. */
  dedupKeySent?: true;
  format: 'alertinfo' | 'flat' | 'cloudwatch';
  /** Position inside an alertinfo batch. */
  index: number;
}

export interface AlertRejection {
  index?: number;
  reason: string;
  issues: string[];
  input: unknown;
}

export interface ParsedAlerts {
  alerts: NormalisedAlert[];
  rejected: AlertRejection[];
}

/**
 * Default grouping: one incident per system + host + service. JSON keeps it unambiguous. Coarser
 * rosters (`groupBy`) use the same shape with fewer fields (domain/grouping.ts).
 */
export function defaultDedupKey(system: string, host: string, service: string): string {
  return JSON.stringify([system, host, service]);
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(detail)'}: ${issue.message}`);
}

function fromFields(
  fields: z.infer<typeof flatAlertSchema> | z.infer<typeof alertInfoItemSchema>,
  format: NormalisedAlert['format'],
  index: number,
): NormalisedAlert {
  const alert: NormalisedAlert = {
    system: fields.systemname,
    host: fields.host,
    service: fields.service,
    status: fields.status ?? 'firing',
    dedupKey: fields.dedupKey ?? defaultDedupKey(fields.systemname, fields.host, fields.service),
    format,
    index,
  };
  if (fields.dedupKey !== undefined) alert.dedupKeySent = true;
  if (fields.lastcheck !== undefined && fields.lastcheck !== '') alert.lastcheck = String(fields.lastcheck);
  if (fields.severity) alert.severity = fields.severity;
  if (fields.message) alert.message = fields.message;
  return alert;
}

/**
 * Reads an AlertReceived detail. A batch is never all-or-nothing: each bad entry is rejected with
 * its own reason while the good ones beside it go through.
 */
export function parseAlertReceived(detail: unknown): ParsedAlerts {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return { alerts: [], rejected: [{ reason: 'detail must be a JSON object', issues: [], input: detail }] };
  }
  if ('alertinfo' in detail) {
    const batch = alertInfoSchema.safeParse(detail);
    if (!batch.success) {
      return {
        alerts: [],
        rejected: [{ reason: 'invalid alertinfo batch', issues: describeIssues(batch.error), input: detail }],
      };
    }
    const parsed: ParsedAlerts = { alerts: [], rejected: [] };
    batch.data.alertinfo.forEach((item, index) => {
      const result = alertInfoItemSchema.safeParse(item);
      if (result.success) parsed.alerts.push(fromFields(result.data, 'alertinfo', index));
      else
        parsed.rejected.push({
          index,
          reason: `invalid alert alertinfo[${index}]`,
          issues: describeIssues(result.error).map((issue) => `alertinfo[${index}]${issue.startsWith('(detail)') ? issue.slice(8) : `.${issue}`}`),
          input: item,
        });
    });
    return parsed;
  }
  const flat = flatAlertSchema.safeParse(detail);
  if (!flat.success) {
    return { alerts: [], rejected: [{ reason: 'invalid alert', issues: describeIssues(flat.error), input: detail }] };
  }
  return { alerts: [fromFields(flat.data, 'flat', 0)], rejected: [] };
}

// ---------------------------------------------------------------------------------------------
// CloudWatch "Alarm State Change" events (source aws.cloudwatch, on the default bus).

const dimensionsSchema = z.record(z.string(), z.string());
export const cloudWatchAlarmDetailSchema = z.object({
  alarmName: z.string().min(1),
  state: z.object({
    value: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    reason: z.string().optional(),
    timestamp: z.string().optional(),
  }),
  configuration: z
    .object({
      description: z.string().optional(),
      metrics: z
        .array(
          z.object({
            metricStat: z
              .object({
                metric: z
                  .object({ namespace: z.string().optional(), name: z.string().optional(), dimensions: dimensionsSchema.optional() })
                  .optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type CloudWatchAlarmDetail = z.infer<typeof cloudWatchAlarmDetailSchema>;

const SYSTEM_TAG = /yobidashi[.:]system\s*=\s*([^\s,;]+)/i;

/**
 * How an alarm maps onto system / host / service (docs/events.md repeats this):
 * - system: `yobidashi.system=NAME` in the alarm description; else the alarm name's first
 *   `/`-separated part when it has one (`XYZ/server1/cpu`); else `cloudwatch`.
 * - host: the first metric dimension's value (InstanceId, DBInstanceIdentifier, ...); else the
 *   alarm name.
 * - service: the metric name (CPUUtilization); else the alarm name.
 * - dedupKey: the alarm ARN, so one alarm is one incident however its metric is labelled.
 * ALARM is firing, OK is resolved, INSUFFICIENT_DATA is ignored (returns undefined).
 */
export function normaliseCloudWatchAlarm(
  detail: CloudWatchAlarmDetail,
  resources: readonly string[],
): z.input<typeof flatAlertSchema> | undefined {
  if (detail.state.value === 'INSUFFICIENT_DATA') return undefined;
  const metric = detail.configuration?.metrics?.[0]?.metricStat?.metric;
  const description = detail.configuration?.description ?? '';
  const nameParts = detail.alarmName.split('/');
  const system =
    SYSTEM_TAG.exec(description)?.[1] ?? (nameParts.length > 1 && nameParts[0] ? nameParts[0] : 'cloudwatch');
  const firstDimension = metric?.dimensions ? Object.values(metric.dimensions)[0] : undefined;
  const alert: z.input<typeof flatAlertSchema> = {
    systemname: system,
    host: firstDimension ?? detail.alarmName,
    service: metric?.name ?? detail.alarmName,
    status: detail.state.value === 'ALARM' ? 'firing' : 'resolved',
    dedupKey: resources[0] ?? `cloudwatch:${detail.alarmName}`,
  };
  if (detail.state.timestamp) alert.lastcheck = detail.state.timestamp;
  if (detail.state.reason) alert.message = detail.state.reason.slice(0, 2000);
  return alert;
}
