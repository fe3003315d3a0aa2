/**
 * Typed calls for one iteration, one registered model and the alert rules,
 * used by the views and tabs. They are thin on purpose: paths and bodies
 * follow docs/rest-api.md, and errors are the `MlopsApiError`s thrown by
 * `requestAPI`.
 */
import { jsonInit, requestAPI } from './requestAPI';
import {
  IAlertRule,
  IAlertRuleDefinition,
  IBacktestResult,
  IDeliverResult,
  IIterationDetail,
  IIterationPatch,
  IMetricHistory,
  IModelDetail,
  IModelVersion,
  IStageHistory,
  ModelStage
} from './tokens';

/** Enough points for a smooth curve; the server downsamples above this. */
export const CURVE_POINTS = 1000;

export function getIteration(id: number): Promise<IIterationDetail> {
  return requestAPI<IIterationDetail>(`iterations/${id}`);
}

export function patchIteration(id: number, patch: IIterationPatch): Promise<IIterationDetail> {
  return requestAPI<IIterationDetail>(`iterations/${id}`, jsonInit('PATCH', patch));
}

export async function deleteIteration(id: number): Promise<void> {
  await requestAPI<void>(`iterations/${id}`, jsonInit('DELETE'));
}

export function restoreIteration(id: number): Promise<IIterationDetail> {
  return requestAPI<IIterationDetail>(`iterations/${id}/restore`, jsonInit('POST'));
}

export function getMetricHistory(id: number, key: string): Promise<IMetricHistory> {
  return requestAPI<IMetricHistory>(
    `iterations/${id}/metrics/${encodeURIComponent(key)}`,
    {},
    { max_points: CURVE_POINTS }
  );
}

// ---- registry ---------------------------------------------------------------

function modelPath(name: string): string {
  return `models/${encodeURIComponent(name)}`;
}

export function getModel(name: string): Promise<IModelDetail> {
  return requestAPI<IModelDetail>(modelPath(name));
}

export function getStageHistory(name: string): Promise<IStageHistory> {
  return requestAPI<IStageHistory>(`${modelPath(name)}/history`);
}

/** Omit empty comments: the server stores what it is given. */
function withComment<T extends object>(body: T, comment: string): T & { comment?: string } {
  const text = comment.trim();
  return text ? { ...body, comment: text } : body;
}

export function setStage(
  name: string,
  version: number,
  stage: ModelStage,
  comment = ''
): Promise<IModelVersion> {
  return requestAPI<IModelVersion>(
    `${modelPath(name)}/versions/${version}/stage`,
    jsonInit('POST', withComment({ stage }, comment))
  );
}

export function rollbackModel(name: string, comment = ''): Promise<IModelVersion> {
  return requestAPI<IModelVersion>(`${modelPath(name)}/rollback`, jsonInit('POST', withComment({}, comment)));
}

// ---- alerts -----------------------------------------------------------------

export function createAlertRule(definition: IAlertRuleDefinition): Promise<IAlertRule> {
  return requestAPI<IAlertRule>('alerts/rules', jsonInit('POST', definition));
}

export function setAlertRuleEnabled(id: number, enabled: boolean): Promise<IAlertRule> {
  return requestAPI<IAlertRule>(`alerts/rules/${id}`, jsonInit('PATCH', { enabled }));
}

/** How often a rule that is not saved yet would have fired since `since`. */
export function backtestDraft(
  definition: IAlertRuleDefinition,
  since = '30d'
): Promise<IBacktestResult> {
  const { name: _name, ...draft } = definition;
  return requestAPI<IBacktestResult>('alerts/backtest', jsonInit('POST', { ...draft, since }));
}

export function deliverAlerts(): Promise<IDeliverResult> {
  return requestAPI<IDeliverResult>('alerts/deliver', jsonInit('POST'));
}
