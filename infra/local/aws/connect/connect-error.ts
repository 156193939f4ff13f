import { AwsError } from '../protocols/aws-error.ts';

/** An error the local Connect answers with: its code, message and HTTP status (REST: `x-amzn-errortype`, `{"Message"}`). */
export class ConnectError extends AwsError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status);
  }
}
