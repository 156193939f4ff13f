/**
 * An error an emulated AWS service answers with: its code (`ThrottlingException`), message and HTTP
 * status, and where the query protocol names the code otherwise (SQS's
 * `AWS.SimpleQueueService.NonExistentQueue`), that name too. Each protocol's route table renders it
 * the way that protocol does (infra/local/http/): `__type` in AWS JSON, `<Error><Code>` in
 * awsQuery, `x-amzn-errortype` and `{"Message"}` on the REST faces.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryCode = code,
  ) {
    super(message);
  }
}
