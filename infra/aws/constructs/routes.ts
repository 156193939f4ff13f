import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RULE_TARGET_RETRY } from '../../../events/delivery.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES, type HandlerName } from '../../../events/routes.ts';
import type { PhysicalNames } from '../names.ts';

/**
 * One rule per route of the routing table (events/routes.ts) with the route's pattern verbatim,
 * including `"replay-name": [{"exists": false}]` on side-effect routes, which CDK's EventPattern
 * type cannot express; and the default-bus rules that forward AWS service events into yobidashi.
 * Every target retries per RULE_TARGET_RETRY and then dead-letters. Those retries cover handing
 * the event to Lambda only: the invoke is asynchronous, so a handler that throws is retried by
 * Lambda (and then kept in the handler failure queue), not by EventBridge.
 */
export class RoutingRules extends Construct {
  readonly rules: Record<string, events.Rule> = {};
  /** The routes' rules, on the stack's bus (the forwards are on the account's default bus). */
  readonly onBus: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: { names: PhysicalNames; bus: events.IEventBus; handlers: Record<HandlerName, lambda.IFunction>; deadLetters: sqs.IQueue }) {
    super(scope, id);
    const delivery = {
      deadLetterQueue: props.deadLetters,
      retryAttempts: RULE_TARGET_RETRY.maximumRetryAttempts,
      maxEventAge: Duration.seconds(RULE_TARGET_RETRY.maximumEventAgeSeconds),
    };
    for (const route of ROUTES) {
      const rule = new events.Rule(this, route.name, {
        eventBus: props.bus,
        ruleName: props.names.rule(route.name),
        description: route.description,
        // placeholder replaced below by the route's exact pattern
        eventPattern: { source: ['yobidashi'] },
      });
      (rule.node.defaultChild as events.CfnRule).eventPattern = route.eventPattern;
      rule.addTarget(new targets.LambdaFunction(props.handlers[route.handler], delivery));
      this.rules[route.name] = rule;
      this.onBus.push(rule);
    }
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const forward of DEFAULT_BUS_FORWARDS) {
      const rule = new events.Rule(this, forward.name, { eventBus: defaultBus, ruleName: props.names.rule(forward.name), description: `Forward AWS service events into the ${props.names.bus} bus`, eventPattern: { source: ['aws.placeholder'] } });
      (rule.node.defaultChild as events.CfnRule).eventPattern = forward.eventPattern;
      rule.addTarget(new targets.EventBus(props.bus, { deadLetterQueue: props.deadLetters }));
      this.rules[forward.name] = rule;
    }
  }
}
