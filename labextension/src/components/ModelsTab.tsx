/**
 * Models tab: registered models with their production and latest versions;
 * expanding one lists its versions with stage, lineage (the iteration that
 * produced it, which opens in the main area) and recorded metrics.
 * Read-only: promotion and rollback go through the library, magics and
 * widgets, where the audit trail records who did it.
 */
import * as React from 'react';

import { formatMetric, formatShortTime, formatFullTime } from '../format';
import { MlopsModel } from '../model';
import { requestAPI } from '../requestAPI';
import { IModelDetail, IModelList, IModelVersion, IRegisteredModel } from '../tokens';
import { Message, NotAvailable } from './common';
import { useRemote } from './useRemote';

const REFRESH_MS = 5000;
/** Metrics shown per version; the iteration view has all of them. */
const VERSION_METRICS = 2;

interface IProps {
  model: MlopsModel;
  onOpen: (iterationId: number) => void;
}

function StageBadge({ stage }: { stage: string }): JSX.Element {
  return <span className={`jp-mlops-stage jp-mlops-stage-${stage}`}>{stage}</span>;
}

/** Two short lines per version: it has to fit a narrow sidebar. */
function VersionRow({ v, onOpen }: { v: IModelVersion; onOpen: (id: number) => void }): JSX.Element {
  const metrics = Object.entries(v.metrics ?? {}).slice(0, VERSION_METRICS);
  return (
    <li className="jp-mlops-version" data-version={v.version}>
      <div className="jp-mlops-version-line">
        <strong>v{v.version}</strong>
        <StageBadge stage={v.stage} />
        {(v.aliases ?? []).map(a => (
          <span key={a} className="jp-mlops-chip jp-mlops-alias">
            {a}
          </span>
        ))}
        <span className="jp-mlops-count" title={formatFullTime(v.created_at)}>
          {formatShortTime(v.created_at)}
        </span>
      </div>
      <div className="jp-mlops-version-line jp-mlops-muted">
        {v.source === 'iteration' && v.iteration_id !== null ? (
          <button
            className="jp-mlops-link"
            title="Open the iteration that produced this version"
            onClick={() => onOpen(v.iteration_id as number)}
          >
            iteration {v.iteration_id}
          </button>
        ) : (
          <span>{v.filename ?? 'uploaded file'}</span>
        )}
        <span className="jp-mlops-mono">
          {metrics.map(([k, value]) => `${k} ${formatMetric(value)}`).join(' · ')}
        </span>
      </div>
    </li>
  );
}

function ModelItem({ entry, onOpen, model }: { entry: IRegisteredModel } & IProps): JSX.Element {
  const [open, setOpen] = React.useState(false);
  const [detail, setDetail] = React.useState<IModelDetail | null>(null);

  React.useEffect(() => {
    if (!open) {
      return;
    }
    let cancelled = false;
    requestAPI<IModelDetail>(`models/${encodeURIComponent(entry.name)}`)
      .then(d => !cancelled && setDetail(d))
      .catch(error => model.reportError(error, `Loading model ${entry.name} failed`));
    return () => {
      cancelled = true;
    };
  }, [open, entry.updated_at]);

  const aliases = Object.entries(entry.aliases ?? {});
  return (
    <li className="jp-mlops-model" data-model={entry.name}>
      <button
        className="jp-mlops-tree-node jp-mlops-model-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        <span className="jp-mlops-tree-label">{entry.name}</span>
        <span className="jp-mlops-count">
          {entry.production_version !== null ? `prod v${entry.production_version} · ` : ''}
          {entry.latest_version !== null ? `latest v${entry.latest_version}` : 'no version'}
        </span>
      </button>
      {open && (
        <div className="jp-mlops-model-detail">
          {entry.description && <p className="jp-mlops-muted">{entry.description}</p>}
          {aliases.length > 0 && (
            <p className="jp-mlops-muted">
              {'aliases: ' + aliases.map(([a, v]) => `${a} → v${v}`).join(', ')}
            </p>
          )}
          {detail === null ? (
            <p className="jp-mlops-muted">Loading versions…</p>
          ) : (
            <ul className="jp-mlops-versions" aria-label={`Versions of ${entry.name}`}>
              {[...detail.versions]
                .sort((a, b) => b.version - a.version)
                .map(v => (
                  <VersionRow key={v.version} v={v} onOpen={onOpen} />
                ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

export function ModelsTab(props: IProps): JSX.Element {
  const [state, reload] = useRemote<IModelList>(props.model, 'models', 'models', REFRESH_MS);
  switch (state.kind) {
    case 'loading':
      return <p className="jp-mlops-muted jp-mlops-pad">Loading models…</p>;
    case 'not-available':
      return <NotAvailable feature="Models" />;
    case 'error':
      return (
        <Message title="Could not load models" kind="error">
          <p>{state.message}</p>
          <button className="jp-mlops-button" onClick={reload}>
            Retry
          </button>
        </Message>
      );
  }
  const models = state.data.models ?? [];
  if (models.length === 0) {
    return (
      <Message title="No registered model yet" className="jp-mlops-no-models">
        <p>Log a model from a tracked iteration, then promote it:</p>
        <pre className="jp-mlops-command">
          {'mj.log_model(model, name="wine-classifier")\nmj.promote("wine-classifier", 1, "production")'}
        </pre>
      </Message>
    );
  }
  return (
    <ul className="jp-mlops-models" aria-label="Registered models">
      {models.map(m => (
        <ModelItem key={m.name} entry={m} {...props} />
      ))}
    </ul>
  );
}
