/**
 * Models tab: registered models with their production and latest versions;
 * expanding one lists its versions with stage, lineage (the iteration that
 * produced it, which opens in the main area) and recorded metrics, the
 * promote and rollback actions, and the stage history.
 *
 * Every stage change asks first (a JupyterLab dialog with an optional
 * comment) and goes through the REST API, so the server records the
 * authenticated user in the history, as the library and magics do.
 */
import * as React from 'react';

import { getModel, getStageHistory, rollbackModel, setStage } from '../api';
import { formatMetric, formatShortTime, formatFullTime } from '../format';
import { MlopsModel } from '../model';
import {
  IModelDetail,
  IModelList,
  IModelVersion,
  IRegisteredModel,
  IStageTransition,
  ModelStage
} from '../tokens';
import { confirmWithComment } from '../widgets/ConfirmDialog';
import { Message, RemoteStatus } from './common';
import { useRemote } from './useRemote';

const REFRESH_MS = 5000;
/** Metrics shown per version; the iteration view has all of them. */
const VERSION_METRICS = 2;
/** Stage changes listed in the expanded model, newest first. */
const HISTORY_ROWS = 20;
const PROMOTE_TO: ModelStage[] = ['staging', 'production'];

interface IProps {
  model: MlopsModel;
  onOpen: (iterationId: number) => void;
}

function StageBadge({ stage }: { stage: string }): JSX.Element {
  return <span className={`jp-mlops-stage jp-mlops-stage-${stage}`}>{stage}</span>;
}

/** Two short lines per version, plus its promote buttons: it has to fit a narrow sidebar. */
function VersionRow(props: {
  v: IModelVersion;
  onOpen: (id: number) => void;
  onPromote: (v: IModelVersion, stage: ModelStage) => void;
  busy: boolean;
}): JSX.Element {
  const { v, onOpen } = props;
  const metrics = Object.entries(v.metrics ?? {}).slice(0, VERSION_METRICS);
  return (
    <li className="jp-mlops-version" data-version={v.version} data-stage={v.stage}>
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
      <div className="jp-mlops-version-line jp-mlops-version-actions">
        {PROMOTE_TO.filter(stage => stage !== v.stage).map(stage => (
          <button
            key={stage}
            className="jp-mlops-button jp-mlops-promote"
            data-stage={stage}
            disabled={props.busy}
            aria-label={`Promote v${v.version} to ${stage}`}
            title={`Promote v${v.version} to ${stage}`}
            onClick={() => props.onPromote(v, stage)}
          >
            → {stage}
          </button>
        ))}
      </div>
    </li>
  );
}

function HistoryList({ transitions }: { transitions: IStageTransition[] }): JSX.Element {
  if (transitions.length === 0) {
    return <p className="jp-mlops-muted">No stage change yet.</p>;
  }
  const newest = [...transitions].reverse().slice(0, HISTORY_ROWS);
  return (
    <ol className="jp-mlops-history" aria-label="Stage history, newest first">
      {newest.map(t => (
        <li key={t.id} className="jp-mlops-history-row">
          <span title={formatFullTime(t.at)} className="jp-mlops-muted">
            {formatShortTime(t.at)}
          </span>{' '}
          <strong>v{t.version}</strong> {`${t.from_stage} → ${t.to_stage}`}
          {t.actor && <span className="jp-mlops-muted">{` · ${t.actor}`}</span>}
          {t.comment && <div className="jp-mlops-history-comment">{t.comment}</div>}
        </li>
      ))}
    </ol>
  );
}

function ModelItem(props: { entry: IRegisteredModel; onChanged: () => void } & IProps): JSX.Element {
  const { entry, onOpen, model } = props;
  const [open, setOpen] = React.useState(false);
  const [detail, setDetail] = React.useState<IModelDetail | null>(null);
  const [history, setHistory] = React.useState<IStageTransition[] | null>(null);
  const [busy, setBusy] = React.useState(false);
  // Bumped after each stage change so the versions and history are read again.
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    if (!open) {
      return;
    }
    let cancelled = false;
    Promise.all([getModel(entry.name), getStageHistory(entry.name)])
      .then(([d, h]) => {
        if (!cancelled) {
          setDetail(d);
          setHistory(h.transitions ?? []);
        }
      })
      .catch(error => model.reportError(error, `Loading model ${entry.name} failed`));
    return () => {
      cancelled = true;
    };
  }, [open, entry.updated_at, entry.production_version, generation]);

  /** Ask, run the change, then reload this model and the list above it. */
  const change = async (title: string, message: string, action: string, run: (c: string) => Promise<unknown>) => {
    const comment = await confirmWithComment(title, message, action);
    if (comment === null) {
      return;
    }
    setBusy(true);
    try {
      await run(comment);
    } catch (error) {
      model.reportError(error, `${title} failed`, true);
    } finally {
      setBusy(false);
      setGeneration(g => g + 1);
      props.onChanged();
    }
  };

  const promote = (v: IModelVersion, stage: ModelStage) =>
    void change(
      `Promote ${entry.name} v${v.version}`,
      `Move version ${v.version} of ${entry.name} from ${v.stage} to ${stage}?` +
        (stage === 'production' && entry.production_version !== null
          ? ` Version ${entry.production_version} leaves production (archived).`
          : ''),
      `Promote to ${stage}`,
      comment => setStage(entry.name, v.version, stage, comment)
    );

  const rollback = () =>
    void change(
      `Roll back ${entry.name}`,
      `Put the previous production version of ${entry.name} back into production` +
        (entry.production_version !== null ? ` (v${entry.production_version} leaves it)?` : '?'),
      'Roll back',
      comment => rollbackModel(entry.name, comment)
    );

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
          <div className="jp-mlops-model-actions">
            <button
              className="jp-mlops-button jp-mlops-rollback"
              disabled={busy || entry.production_version === null}
              title={
                entry.production_version === null
                  ? 'No version is in production'
                  : 'Put the previous production version back'
              }
              aria-label={`Roll back ${entry.name}`}
              onClick={rollback}
            >
              Rollback
            </button>
          </div>
          {detail === null ? (
            <p className="jp-mlops-muted">Loading versions…</p>
          ) : (
            <ul className="jp-mlops-versions" aria-label={`Versions of ${entry.name}`}>
              {[...detail.versions]
                .sort((a, b) => b.version - a.version)
                .map(v => (
                  <VersionRow key={v.version} v={v} onOpen={onOpen} onPromote={promote} busy={busy} />
                ))}
            </ul>
          )}
          {history !== null && (
            <details className="jp-mlops-history-box" open>
              <summary>Stage history</summary>
              <HistoryList transitions={history} />
            </details>
          )}
        </div>
      )}
    </li>
  );
}

export function ModelsTab(props: IProps): JSX.Element {
  const [state, reload] = useRemote<IModelList>(props.model, 'models', 'models', REFRESH_MS);
  if (state.kind !== 'ok') {
    return <RemoteStatus state={state} feature="Models" reload={reload} />;
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
        <ModelItem key={m.name} entry={m} onChanged={reload} {...props} />
      ))}
    </ul>
  );
}
