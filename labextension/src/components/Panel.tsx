/**
 * The left side panel: Iterations, Models and Monitoring tabs, and the
 * connection states (loading, server extension missing, empty database).
 */
import * as React from 'react';

import { MlopsModel } from '../model';
import { IIterationSummary } from '../tokens';
import { EmptyState, Message, MissingExtension } from './common';
import { Filters } from './Filters';
import { IterationList } from './IterationList';
import { ProjectTree } from './ProjectTree';
import { ModelsTab } from './ModelsTab';
import { MonitoringTab } from './MonitoringTab';

export interface IPanelProps {
  model: MlopsModel;
  /** Open an iteration in the main area. */
  onOpen: (iterationId: number) => void;
  onCompare: (rows: IIterationSummary[]) => void;
}

type Tab = 'iterations' | 'models' | 'monitoring';

const TABS: Array<[Tab, string]> = [
  ['iterations', 'Iterations'],
  ['models', 'Models'],
  ['monitoring', 'Monitoring']
];

function useModelChanged(model: MlopsModel): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(t => t + 1);
    model.changed.connect(bump);
    model.rowsChanged.connect(bump);
    model.selectionChanged.connect(bump);
    return () => {
      model.changed.disconnect(bump);
      model.rowsChanged.disconnect(bump);
      model.selectionChanged.disconnect(bump);
    };
  }, [model]);
}

function IterationsTab(props: IPanelProps): JSX.Element {
  const { model } = props;
  const selected = model.selected;
  if (model.projects.length === 0) {
    return <EmptyState />;
  }
  return (
    <div className="jp-mlops-iterations-tab">
      <ProjectTree model={model} />
      <Filters model={model} />
      <div className="jp-mlops-list-header">
        <span className="jp-mlops-total" aria-live="polite">
          {model.listLoaded ? `${model.total.toLocaleString()} iterations` : 'Loading…'}
        </span>
        <button
          className="jp-mlops-button jp-mlops-compare-button"
          disabled={selected.length < 2}
          title={selected.length < 2 ? 'Tick two or more iterations to compare them' : undefined}
          onClick={() => props.onCompare(selected)}
        >
          Compare ({selected.length})
        </button>
        {selected.length > 0 && (
          <button className="jp-mlops-button" onClick={() => model.clearSelection()}>
            Clear
          </button>
        )}
      </div>
      {model.listLoaded && model.total === 0 ? (
        <p className="jp-mlops-muted jp-mlops-no-match">No iteration matches these filters.</p>
      ) : (
        <IterationList model={model} onOpen={props.onOpen} />
      )}
    </div>
  );
}

export function Panel(props: IPanelProps): JSX.Element {
  const { model } = props;
  useModelChanged(model);
  const [tab, setTab] = React.useState<Tab>('iterations');

  let body: JSX.Element;
  if (model.state === 'loading') {
    body = <p className="jp-mlops-muted">Connecting to the mlops-jupyter server…</p>;
  } else if (model.state === 'missing') {
    body = <MissingExtension />;
  } else if (model.state === 'error' && model.projects.length === 0) {
    body = (
      <Message title="Cannot load projects" kind="error">
        <p>{model.errorMessage}</p>
        <button className="jp-mlops-button" onClick={() => void model.refresh()}>
          Retry
        </button>
      </Message>
    );
  } else if (tab === 'iterations') {
    body = <IterationsTab {...props} />;
  } else if (tab === 'models') {
    body = <ModelsTab model={model} onOpen={props.onOpen} />;
  } else {
    body = <MonitoringTab model={model} />;
  }

  const onTabKey = (event: React.KeyboardEvent, index: number) => {
    const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (delta) {
      event.preventDefault();
      const next = TABS[(index + delta + TABS.length) % TABS.length][0];
      setTab(next);
      document.getElementById(`jp-mlops-tab-${next}`)?.focus();
    }
  };

  return (
    <div className="jp-mlops-panel-body">
      <header className="jp-mlops-panel-header">
        <h2>MLOps</h2>
        <button
          className="jp-mlops-button"
          aria-label="Refresh"
          title="Refresh"
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
      </header>
      <div className="jp-mlops-tabs" role="tablist" aria-label="MLOps views">
        {TABS.map(([id, label], index) => (
          <button
            key={id}
            id={`jp-mlops-tab-${id}`}
            role="tab"
            className="jp-mlops-tab"
            aria-selected={tab === id}
            aria-controls="jp-mlops-tabpanel"
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
            onKeyDown={e => onTabKey(e, index)}
          >
            {label}
          </button>
        ))}
      </div>
      <div
        id="jp-mlops-tabpanel"
        className="jp-mlops-tabpanel"
        role="tabpanel"
        aria-labelledby={`jp-mlops-tab-${tab}`}
      >
        {body}
      </div>
    </div>
  );
}
