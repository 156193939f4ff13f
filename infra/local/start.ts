import { startRuntime } from './runtime.ts';
import type { Out } from '../cli/main.ts';
import type { LogLevel } from '../../handlers/lib/logger.ts';

/** `yobidashi start` / `npm start`: run until interrupted, narrating what happens. */
export async function runStart(values: { port?: string; 'data-dir'?: string; 'time-scale'?: string; 'log-level'?: string }, out: Out): Promise<number> {
  const timeScale = Number(values['time-scale'] ?? process.env.YOBIDASHI_TIME_SCALE ?? 1);
  if (!(timeScale > 0)) {
    out.error('--time-scale must be a positive number');
    return 2;
  }
  const runtime = await startRuntime({
    port: Number(values.port ?? process.env.YOBIDASHI_PORT ?? 4010),
    dataDir: values['data-dir'] ?? process.env.YOBIDASHI_DATA_DIR ?? '.yobidashi',
    timeScale,
    logLevel: (values['log-level'] as LogLevel | undefined) ?? 'warn',
    onEvent: (detailType, detail, time) => {
      const d = detail as { incidentId?: string; attempt?: number; responder?: { name?: string }; outcome?: string; by?: string };
      const who = d.responder?.name ?? d.by ?? '';
      out.log(`${time}  ${detailType.padEnd(20)} ${d.incidentId ?? ''}${d.attempt ? ` #${d.attempt}` : ''}${who ? ` ${who}` : ''}${d.outcome ? ` ${d.outcome}` : ''}`);
    },
    // What the topic's subscribers would get by email, said where the operator is looking.
    onNotification: (n) => {
      out.log(`${n.publishedAt}  ${'NOTIFICATION'.padEnd(20)} ${n.subject ?? ''}`);
      out.log(n.message.split('\n').map((line) => `    ${line}`).join('\n'));
    },
  });
  const example = JSON.stringify([
    { EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify({ alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2023-10-03 13:20:52', systemname: 'XYZ' }] }) },
  ]);
  out.log(
    [
      `yobidashi is running at ${runtime.url}`,
      `  EventBridge (AWS JSON 1.1), Scheduler and Connect APIs, and the local API under ${runtime.url}/api`,
      `  data: ${runtime.dataDir}   time scale: ${runtime.timeScale}x`,
      '',
      'Try it (any credentials work):',
      `  npx yobidashi roster import examples/roster.yaml`,
      `  curl -X PUT ${runtime.url}/api/phones/+819011110001 -d '{"answer": true, "afterSeconds": 5, "digits": "1"}'`,
      `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws events put-events --region us-east-1 \\`,
      `    --endpoint-url ${runtime.url} --entries '${example}'`,
      `  npx yobidashi incidents`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.log('stopping');
  await runtime.stop();
  return 0;
}
