/** Records the commands an engine test's ECR client sends, for asserting the shape of a run's calls. */
import type { ECRClient } from '@aws-sdk/client-ecr';

/** One command as sent: its name without the `Command` suffix and a copy of its input. */
export interface Sent {
  command: string;
  input: Record<string, any>;
}

/**
 * Records every command sent through the base client from now on (the engine's metered wrapper
 * calls it). Inputs are cloned when sent, so later mutation by the SDK cannot change the record.
 */
export function recordCommands(ecr: ECRClient): Sent[] {
  const sent: Sent[] = [];
  const original = ecr.send.bind(ecr) as (command: any, options?: any) => Promise<any>;
  (ecr as unknown as { send: unknown }).send = (command: any, options?: any) => {
    sent.push({ command: command.constructor.name.replace(/Command$/, ''), input: structuredClone(command.input) });
    return original(command, options);
  };
  return sent;
}
