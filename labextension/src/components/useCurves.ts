/**
 * Load metric histories for one or several iterations and shape them as
 * chart series keyed by metric. Used by the iteration view (one series per
 * chart) and the compare view (one series per iteration, overlaid).
 */
import * as React from 'react';

import { getMetricHistory } from '../api';
import { metricNumber } from '../format';
import { MlopsModel } from '../model';
import { ISeries } from './LineChart';

/** More charts than this stop being readable; the table still lists all. */
export const MAX_CURVES = 12;

export interface ICurveSource {
  id: number;
  label: string;
}

export type Curves = Map<string, ISeries[]>;

/**
 * `version` lets the caller ask for a reload (e.g. while an iteration is
 * still running) without changing the inputs.
 */
export function useCurves(
  model: MlopsModel,
  sources: ICurveSource[],
  keys: string[],
  version = 0
): Curves | null {
  const [curves, setCurves] = React.useState<Curves | null>(null);
  const sourceKey = sources.map(s => `${s.id}:${s.label}`).join('|');
  const keysKey = keys.slice(0, MAX_CURVES).join('|');

  React.useEffect(() => {
    let cancelled = false;
    const wanted = keys.slice(0, MAX_CURVES);
    const jobs = wanted.flatMap(key =>
      sources.map(async source => {
        const history = await getMetricHistory(source.id, key);
        const points = history.points.map((p, i): [number, number] => [
          p.step ?? i,
          metricNumber(p.value)
        ]);
        return { key, label: source.label, points };
      })
    );
    Promise.all(jobs)
      .then(results => {
        if (cancelled) {
          return;
        }
        const map: Curves = new Map();
        for (const key of wanted) {
          map.set(
            key,
            results.filter(r => r.key === key).map(r => ({ label: r.label, points: r.points }))
          );
        }
        setCurves(map);
      })
      .catch(error => {
        if (!cancelled) {
          model.reportError(error, 'Loading learning curves failed');
          setCurves(new Map());
        }
      });
    return () => {
      cancelled = true;
    };
  }, [sourceKey, keysKey, version]);

  return curves;
}

/** A curve is worth drawing once some series has two points. */
export function hasCurve(series: ISeries[] | undefined): boolean {
  return !!series && series.some(s => s.points.length > 1);
}
