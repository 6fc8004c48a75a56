/**
 * What both functions do around their own work: Powertools context and metrics middleware, the
 * dependencies, deadline and run id every run starts with, and one "<name> failed" ERROR line
 * before an error propagates (the failed invocation is what the alarm counts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { getDeps, type FunctionDeps } from './clients.js';
import { logger, metrics } from './observability.js';
import { newRunId } from './run.js';
import { deadlineFor } from './summary.js';

/** What {@link startRun} hands a function. */
export interface RunStart {
  deps: FunctionDeps;
  /** Epoch ms at which the engine stops between batches. */
  deadline: number;
  runId: string;
}

/**
 * The container's dependencies, the run's deadline and a fresh run id. Call it as soon as the
 * event is validated: the deadline is taken before the rules load, which eats into the same time.
 */
export function startRun(context: Context): RunStart {
  const deps = getDeps();
  const deadline = deadlineFor(context, deps.config.deadlineMarginMs);
  return { deps, deadline, runId: newRunId() };
}

/**
 * Wraps a function body as a Lambda handler: logs `<name> failed` at ERROR with the error, then
 * rethrows it, and flushes metrics (with a cold-start metric) after every invocation.
 */
export function lambdaHandler<TResult>(
  name: string,
  body: (event: unknown, context: Context) => Promise<TResult>,
): MiddyfiedHandler<unknown, TResult, Error, Context> {
  const handle = async (event: unknown, context: Context): Promise<TResult> => {
    try {
      return await body(event, context);
    } catch (error) {
      logger.error(`${name} failed`, error as Error);
      throw error;
    }
  };
  return middy<unknown, TResult, Error, Context>(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
