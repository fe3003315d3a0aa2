/**
 * The recorded parts of one iteration: params, metrics with learning curves,
 * datasets with fingerprints, the cell's code, environment, git and the
 * traceback of a failed run.
 */
import * as React from 'react';

import { formatAny, formatBytes, formatMetric, formatParam, formatTime } from '../format';
import { MlopsModel } from '../model';
import { IIterationDetail } from '../tokens';
import { KeyValueTable, Section } from './common';
import { IIterationActions } from './IterationView';
import { LineChart } from './LineChart';
import { hasCurve, useCurves } from './useCurves';

interface IProps {
  model: MlopsModel;
  detail: IIterationDetail;
  actions: IIterationActions;
  version: number;
}

function Metrics({ model, detail, version }: Omit<IProps, 'actions'>): JSX.Element {
  const keys = detail.latest_metrics.map(m => m.key);
  const sources = React.useMemo(() => [{ id: detail.id, label: detail.name }], [detail.id, detail.name]);
  const curves = useCurves(model, sources, keys, version);
  return (
    <Section title="Metrics">
      {detail.latest_metrics.length === 0 ? (
        <p className="jp-mlops-muted">No metric logged.</p>
      ) : (
        <table className="jp-mlops-table" aria-label="Latest metric values">
          <thead>
            <tr>
              <th scope="col">metric</th>
              <th scope="col">latest</th>
              <th scope="col">step</th>
              <th scope="col">logged</th>
            </tr>
          </thead>
          <tbody>
            {detail.latest_metrics.map(m => (
              <tr key={m.key}>
                <th scope="row">{m.key}</th>
                <td className="jp-mlops-num">{formatMetric(m.value)}</td>
                <td className="jp-mlops-num">{m.step ?? ''}</td>
                <td>{formatTime(m.timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="jp-mlops-charts">
        {curves &&
          keys
            .filter(key => hasCurve(curves.get(key)))
            .map(key => <LineChart key={key} title={key} series={curves.get(key)!} />)}
      </div>
    </Section>
  );
}

function Datasets({ detail }: { detail: IIterationDetail }): JSX.Element {
  return (
    <Section title="Datasets">
      {detail.datasets.length === 0 ? (
        <p className="jp-mlops-muted">No dataset logged.</p>
      ) : (
        <table className="jp-mlops-table" aria-label="Datasets">
          <thead>
            <tr>
              <th scope="col">role</th>
              <th scope="col">name</th>
              <th scope="col">fingerprint</th>
              <th scope="col">rows</th>
              <th scope="col">size</th>
              <th scope="col">uri</th>
            </tr>
          </thead>
          <tbody>
            {detail.datasets.map(d => (
              <tr key={`${d.id}-${d.role}`}>
                <td>{d.role ?? ''}</td>
                <td>{d.name}</td>
                <td className="jp-mlops-mono" title={d.digest ?? undefined}>
                  {d.digest ? d.digest.slice(0, 16) : ''}
                </td>
                <td className="jp-mlops-num">{d.rows ?? ''}</td>
                <td className="jp-mlops-num">{formatBytes(d.size)}</td>
                <td className="jp-mlops-mono">{d.uri}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function SourceCode({ detail, actions }: { detail: IIterationDetail; actions: IIterationActions }): JSX.Element | null {
  const source = detail.source;
  const path = source?.notebook_path ?? null;
  const [notebook, setNotebook] = React.useState<string | null>(null);
  React.useEffect(() => {
    let cancelled = false;
    setNotebook(null);
    if (path) {
      void actions.findNotebook(path).then(found => !cancelled && setNotebook(found));
    }
    return () => {
      cancelled = true;
    };
  }, [path]);

  if (!source || (!source.code && !path)) {
    return null;
  }
  const code = source.code ?? '';
  return (
    <Section
      title="Code"
      actions={
        <div className="jp-mlops-toolbar">
          {code && (
            <button className="jp-mlops-button" onClick={() => actions.copy(code)}>
              Copy code
            </button>
          )}
          {notebook && (
            <button className="jp-mlops-button" onClick={() => actions.openNotebook(notebook)}>
              Open notebook
            </button>
          )}
        </div>
      }
    >
      <p className="jp-mlops-muted">
        {[
          path ? `notebook ${path}` : '',
          source.execution_count !== null ? `cell [${source.execution_count}]` : '',
          source.cell_hash ? `hash ${source.cell_hash.slice(0, 12)}` : ''
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      {code && <pre className="jp-mlops-code">{code}</pre>}
    </Section>
  );
}

function Environment({ detail }: { detail: IIterationDetail }): JSX.Element | null {
  const env = detail.environment ?? {};
  const entries = Object.entries(env);
  if (entries.length === 0) {
    return null;
  }
  // Package lists are long: keep them folded under the short facts.
  const short = entries.filter(([, v]) => v === null || typeof v !== 'object');
  const long = entries.filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <Section title="Environment">
      <KeyValueTable rows={short.map(([k, v]) => [k, formatAny(v)])} label="Environment" />
      {long.map(([key, value]) => (
        <details key={key} className="jp-mlops-details">
          <summary>{key}</summary>
          <KeyValueTable
            rows={
              Array.isArray(value)
                ? value.map((v, i): [string, string] => [String(i + 1), formatAny(v)])
                : Object.entries(value as object).map(([k, v]): [string, string] => [k, formatAny(v)])
            }
            label={key}
          />
        </details>
      ))}
    </Section>
  );
}

export function IterationSections(props: IProps): JSX.Element {
  const { detail } = props;
  const git = detail.git;
  return (
    <div className="jp-mlops-sections">
      {detail.error && (
        <Section title="Error">
          <pre className="jp-mlops-code jp-mlops-traceback">{detail.error}</pre>
        </Section>
      )}
      <Section title="Parameters">
        <KeyValueTable
          label="Parameters"
          empty="No parameter logged."
          rows={(detail.params_typed ?? []).map(p => [p.key, formatParam(p.value)])}
        />
      </Section>
      <Metrics model={props.model} detail={detail} version={props.version} />
      <Datasets detail={detail} />
      <SourceCode detail={detail} actions={props.actions} />
      <Environment detail={detail} />
      {git && (git.commit || git.branch) && (
        <Section title="Git">
          <KeyValueTable
            label="Git"
            rows={[
              ['commit', git.commit ?? ''],
              ['branch', git.branch ?? ''],
              ['dirty', git.dirty === null ? '' : git.dirty ? 'yes (uncommitted changes)' : 'no']
            ]}
          />
        </Section>
      )}
    </div>
  );
}
