/**
 * One iteration in the main area: header with rename, tags and
 * delete/restore, then the recorded sections. A running iteration is
 * re-read every couple of seconds so its curves grow while you watch.
 */
import * as React from 'react';

import { deleteIteration, getIteration, patchIteration, restoreIteration } from '../api';
import { formatDuration, formatTime } from '../format';
import { MlopsModel } from '../model';
import { MlopsApiError } from '../requestAPI';
import { IIterationDetail } from '../tokens';
import { Message, StatusIcon } from './common';
import { IterationSections } from './IterationSections';
import { TagEditor } from './TagEditor';

/** What the view needs from JupyterLab, provided by the widget wrapper. */
export interface IIterationActions {
  /** The recorded notebook path as the contents API knows it, or null. */
  findNotebook(path: string): Promise<string | null>;
  openNotebook(path: string): void;
  copy(text: string): void;
  setTitle(label: string): void;
}

const RUNNING_REFRESH_MS = 2000;

interface IProps {
  model: MlopsModel;
  id: number;
  actions: IIterationActions;
}

export function IterationView({ model, id, actions }: IProps): JSX.Element {
  const [detail, setDetail] = React.useState<IIterationDetail | null>(null);
  const [failure, setFailure] = React.useState<string | null>(null);
  const [version, setVersion] = React.useState(0);
  const [renaming, setRenaming] = React.useState<string | null>(null);

  const show = (next: IIterationDetail) => {
    setDetail(next);
    actions.setTitle(`${next.name} #${next.number}`);
  };

  const load = React.useCallback(async () => {
    try {
      show(await getIteration(id));
      setFailure(null);
    } catch (error) {
      if (error instanceof MlopsApiError && error.status === 404) {
        setFailure('This iteration does not exist (any more).');
      } else {
        setFailure(error instanceof Error ? error.message : String(error));
        model.reportError(error, 'Loading the iteration failed');
      }
    }
  }, [id]);

  React.useEffect(() => {
    void load();
    const reload = (_: MlopsModel, changed: number) => changed === id && void load();
    model.iterationChanged.connect(reload);
    return () => {
      model.iterationChanged.disconnect(reload);
    };
  }, [id]);

  const running = detail?.status === 'running';
  React.useEffect(() => {
    if (!running) {
      return;
    }
    const timer = window.setInterval(() => {
      void load();
      setVersion(v => v + 1);
    }, RUNNING_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [running]);

  /** Run a mutation, then tell the panel so its list reflects it. */
  const mutate = async (what: string, call: () => Promise<IIterationDetail | void>) => {
    try {
      const next = await call();
      if (next) {
        show(next);
      } else {
        await load();
      }
      model.notifyIterationChanged(id);
    } catch (error) {
      model.reportError(error, `${what} failed`);
    }
  };

  if (!detail) {
    return failure ? (
      <Message title="Cannot show this iteration" kind="error">
        <p>{failure}</p>
      </Message>
    ) : (
      <p className="jp-mlops-muted">Loading iteration…</p>
    );
  }

  const submitRename = (event: React.FormEvent) => {
    event.preventDefault();
    const name = (renaming ?? '').trim();
    setRenaming(null);
    if (name && name !== detail.name) {
      void mutate('Rename', () => patchIteration(id, { name }));
    }
  };

  return (
    <div className="jp-mlops-iteration" data-iteration-id={detail.id}>
      <header className="jp-mlops-iteration-header">
        <div className="jp-mlops-title-line">
          <StatusIcon status={detail.status} />
          {renaming === null ? (
            <h2 className="jp-mlops-iteration-name">{detail.name}</h2>
          ) : (
            <form onSubmit={submitRename} className="jp-mlops-rename">
              <input
                className="jp-mod-styled"
                aria-label="New name"
                autoFocus
                value={renaming}
                onChange={e => setRenaming(e.target.value)}
                onKeyDown={e => e.key === 'Escape' && setRenaming(null)}
              />
              <button type="submit" className="jp-mlops-button">
                Save
              </button>
              <button type="button" className="jp-mlops-button" onClick={() => setRenaming(null)}>
                Cancel
              </button>
            </form>
          )}
          <span className="jp-mlops-muted">#{detail.number}</span>
          {detail.deleted && <span className="jp-mlops-badge">deleted</span>}
        </div>
        <p className="jp-mlops-muted jp-mlops-iteration-meta">
          {`${detail.project_name} / ${detail.experiment_name} · ${detail.status} · started ${formatTime(detail.started_at)}`}
          {detail.duration !== null ? ` · ${formatDuration(detail.duration)}` : ''}
          {detail.model_name ? ` · model ${detail.model_name}` : ''}
        </p>
        <div className="jp-mlops-toolbar" role="toolbar" aria-label="Iteration actions">
          <button
            className="jp-mlops-button"
            onClick={() => setRenaming(detail.name)}
            disabled={renaming !== null}
          >
            Rename
          </button>
          {detail.deleted ? (
            <button
              className="jp-mlops-button"
              onClick={() => void mutate('Restore', () => restoreIteration(id))}
            >
              Restore
            </button>
          ) : (
            <button
              className="jp-mlops-button jp-mlops-danger"
              onClick={() => void mutate('Delete', () => deleteIteration(id))}
            >
              Delete
            </button>
          )}
          <button className="jp-mlops-button" onClick={() => {
            void load();
            setVersion(v => v + 1);
          }}>
            Refresh
          </button>
        </div>
        <TagEditor
          tags={detail.tags}
          onChange={tags => void mutate('Tagging', () => patchIteration(id, { tags }))}
        />
      </header>
      <IterationSections model={model} detail={detail} actions={actions} version={version} />
    </div>
  );
}
