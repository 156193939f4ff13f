import type { Telephony } from '../../../../handlers/ports.ts';
import { ConnectTelephony } from '../../adapters/connect.ts';
import { required, unconfigured, type Env } from './env.ts';

/** CONNECT_INSTANCE_ID, CONTACT_FLOW_ID, SOURCE_PHONE_NUMBER or QUEUE_ID: Amazon Connect. */
export const telephony = (env: Env): Telephony =>
  env.CONNECT_INSTANCE_ID
    ? new ConnectTelephony({
        instanceId: env.CONNECT_INSTANCE_ID,
        contactFlowId: required(env, 'CONTACT_FLOW_ID'),
        ...(env.SOURCE_PHONE_NUMBER ? { sourcePhoneNumber: env.SOURCE_PHONE_NUMBER } : {}),
        ...(env.QUEUE_ID ? { queueId: env.QUEUE_ID } : {}),
      })
    : unconfigured<Telephony>('telephony');
