/**
 * Side-by-side comparison of the ticked iterations: params with differing
 * rows marked, latest metrics with the best value of each row marked, and
 * the learning curves overlaid (one colour per iteration).
 */
import * as React from 'react';

import { getIteration } from '../api';
import { formatMetric, formatParam, lowerIsBetter, metricNumber } from '../format';
import { MlopsModel } from '../model';
import { IIterationDetail, MetricValue } from '../tokens';
import { Message, Section, StatusIcon } from './common';
import { LineChart } from './LineChart';
import { hasCurve, useCurves } from './useCurves';

interface IProps {
  model: MlopsModel;
  ids: number[];
  onOpen: (id: number) => void;
}

function union(lists: string[][]): string[] {
  return Array.from(new Set(lists.flat())).sort();
}

/** Index of the best finite value, or -1 when there is nothing to rank. */
function bestIndex(values: Array<MetricValue | undefined>, lower: boolean): number {
  let best = -1;
  values.forEach((value, i) => {
    const n = metricNumber(value);
    if (!Number.isFinite(n)) {
      return;
    }
    const current = best === -1 ? NaN : metricNumber(values[best]);
    if (best === -1 || (lower ? n < current : n > current)) {
      best = i;
    }
  });
  return best;
}

function HeaderRow({ details, onOpen }: { details: IIterationDetail[]; onOpen: (id: number) => void }): JSX.Element {
  return (
    <thead>
      <tr>
        <th scope="col" />
        {details.map(d => (
          <th scope="col" key={d.id}>
            <button className="jp-mlops-link" onClick={() => onOpen(d.id)} title="Open this iteration">
              <StatusIcon status={d.status} /> {d.name} <span className="jp-mlops-muted">#{d.number}</span>
            </button>
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function CompareView({ model, ids, onOpen }: IProps): JSX.Element {
  const [details, setDetails] = React.useState<IIterationDetail[] | null>(null);
  const [onlyDiff, setOnlyDiff] = React.useState(false);
  const [flipped, setFlipped] = React.useState<Set<string>>(new Set());

  React.useEffect(() => {
    let cancelled = false;
    Promise.all(ids.map(getIteration))
      .then(result => !cancelled && setDetails(result))
      .catch(error => {
        model.reportError(error, 'Loading iterations to compare failed');
        !cancelled && setDetails([]);
      });
    return () => {
      cancelled = true;
    };
  }, [ids.join(',')]);

  const metricKeys = details ? union(details.map(d => d.latest_metrics.map(m => m.key))) : [];
  const sources = React.useMemo(
    () => (details ?? []).map(d => ({ id: d.id, label: `${d.name} #${d.number}` })),
    [details]
  );
  const curves = useCurves(model, sources, metricKeys);

  if (details === null) {
    return <p className="jp-mlops-muted">Loading iterations…</p>;
  }
  if (details.length < 2) {
    return <Message title="Select two or more iterations to compare" />;
  }

  const paramKeys = union(details.map(d => (d.params_typed ?? []).map(p => p.key)));
  const paramRows = paramKeys
    .map(key => {
      const values = details.map(d => formatParam(d.params[key] ?? (d.params_typed ?? []).find(p => p.key === key)?.value));
      return { key, values, differs: new Set(values).size > 1 };
    })
    .filter(row => !onlyDiff || row.differs);

  const metricValue = (d: IIterationDetail, key: string): MetricValue | undefined =>
    d.latest_metrics.find(m => m.key === key)?.value ?? d.metrics[key];

  const toggleDirection = (key: string) => {
    const next = new Set(flipped);
    next.has(key) ? next.delete(key) : next.add(key);
    setFlipped(next);
  };

  return (
    <div className="jp-mlops-compare">
      <h2>Comparing {details.length} iterations</h2>
      <label className="jp-mlops-inline">
        <input type="checkbox" checked={onlyDiff} onChange={e => setOnlyDiff(e.target.checked)} />
        Only rows that differ
      </label>
      <Section title="Parameters">
        <table className="jp-mlops-table jp-mlops-compare-table" aria-label="Parameters side by side">
          <HeaderRow details={details} onOpen={onOpen} />
          <tbody>
            {paramRows.map(row => (
              <tr key={row.key} className={row.differs ? 'jp-mlops-diff' : undefined}>
                <th scope="row">
                  {row.key}
                  {row.differs && <span className="jp-mlops-diff-mark" aria-label="differs" title="values differ"> ≠</span>}
                </th>
                {row.values.map((v, i) => (
                  <td key={i}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Metrics">
        <table className="jp-mlops-table jp-mlops-compare-table" aria-label="Latest metrics side by side">
          <HeaderRow details={details} onOpen={onOpen} />
          <tbody>
            {metricKeys.map(key => {
              const values = details.map(d => metricValue(d, key));
              const lower = lowerIsBetter(key) !== flipped.has(key);
              const best = bestIndex(values, lower);
              const differs = new Set(values.map(v => formatMetric(v))).size > 1;
              if (onlyDiff && !differs) {
                return null;
              }
              return (
                <tr key={key} className={differs ? 'jp-mlops-diff' : undefined}>
                  <th scope="row">
                    {key}{' '}
                    <button
                      className="jp-mlops-link jp-mlops-direction"
                      aria-label={`${key}: ${lower ? 'lower' : 'higher'} is better; switch`}
                      title={`${lower ? 'lower' : 'higher'} is better (click to switch)`}
                      onClick={() => toggleDirection(key)}
                    >
                      {lower ? '↓' : '↑'}
                    </button>
                  </th>
                  {values.map((v, i) => (
                    <td key={i} className={`jp-mlops-num${i === best && differs ? ' jp-mlops-best' : ''}`}>
                      {formatMetric(v)}
                      {i === best && differs && <span className="jp-mlops-best-mark" aria-label="best"> ★</span>}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <Section title="Learning curves">
        <div className="jp-mlops-charts">
          {curves === null && <p className="jp-mlops-muted">Loading curves…</p>}
          {curves &&
            metricKeys
              .filter(key => hasCurve(curves.get(key)))
              .map(key => <LineChart key={key} title={key} series={curves.get(key)!} />)}
        </div>
      </Section>
    </div>
  );
}
