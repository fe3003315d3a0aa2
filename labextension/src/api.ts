/**
 * Typed calls for one iteration, used by the main-area views. They are thin
 * on purpose: paths and bodies follow docs/rest-api.md, and errors are the
 * `MlopsApiError`s thrown by `requestAPI`.
 */
import { jsonInit, requestAPI } from './requestAPI';
import { IIterationDetail, IIterationPatch, IMetricHistory } from './tokens';

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
