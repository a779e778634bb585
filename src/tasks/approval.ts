/** Approving or rejecting runs held by the deactivation threshold, by run or by task. */
import type { Store } from '../store/store.ts';
import { TaskState } from '../domain/task.ts';
import { approveRun, rejectRun } from '../sync/deactivation.ts';

export interface Decision { runs: number[]; deactivated: number; discarded: number }

export class NothingToDecide extends Error {}

async function settleTask(store: Store, taskId: number, approved: boolean, decision: Decision, actor: string): Promise<void> {
  const task = await store.tasks.get(taskId);
  if (!task || task.state !== TaskState.awaitingApproval) return;
  const waiting = [];
  for (const id of await store.runs.idsForTask(taskId)) if ((await store.runs.get(id))?.status === 'awaiting-approval') waiting.push(id);
  if (waiting.length) return;
  const message = approved ? `Approved by ${actor}: ${decision.deactivated} users deactivated` : `Rejected by ${actor}: ${decision.discarded} deactivations discarded`;
  await store.tasks.update(taskId, { state: approved ? TaskState.completed : TaskState.cancelled, message });
}

export async function decideRun(store: Store, runId: number, approve: boolean, actor: string): Promise<Decision> {
  const run = await store.runs.get(runId);
  if (!run || run.status !== 'awaiting-approval') throw new NothingToDecide(`run ${runId} is not waiting for approval`);
  const decision: Decision = { runs: [runId], deactivated: 0, discarded: 0 };
  if (approve) decision.deactivated = (await approveRun(store, runId, actor)).deactivated;
  else decision.discarded = (await rejectRun(store, runId, actor)).discarded;
  if (run.taskId !== null) await settleTask(store, run.taskId, approve, decision, actor);
  return decision;
}

export async function decideTask(store: Store, taskId: number, approve: boolean, actor: string): Promise<Decision> {
  const decision: Decision = { runs: [], deactivated: 0, discarded: 0 };
  for (const runId of await store.runs.idsForTask(taskId)) {
    if ((await store.runs.get(runId))?.status !== 'awaiting-approval') continue;
    const d = await decideRun(store, runId, approve, actor);
    decision.runs.push(runId);
    decision.deactivated += d.deactivated;
    decision.discarded += d.discarded;
  }
  if (decision.runs.length === 0) throw new NothingToDecide(`task ${taskId} is not waiting for approval`);
  return decision;
}
