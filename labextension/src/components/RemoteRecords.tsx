/**
 * The Models and Monitoring tabs. Their routes (`GET models`,
 * `GET monitoring/models`) ship after the tracking ones and answer 404 until
 * then, which is a normal state here ("not available yet"), not an error.
 *
 * Their payloads are not pinned down yet, so the records are rendered
 * generically: the name as a heading and every scalar field as a row.
 */
import * as React from 'react';

import { formatAny } from '../format';
import { MlopsModel } from '../model';
import { MlopsApiError, requestAPI } from '../requestAPI';
import { IModelRecord } from '../tokens';
import { KeyValueTable, Message, NotAvailable } from './common';

interface IProps {
  model: MlopsModel;
  /** API path below mlops/api/. */
  path: string;
  /** Human name of the feature, e.g. "Models". */
  feature: string;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'ok'; records: IModelRecord[] }
  | { kind: 'not-available' }
  | { kind: 'error'; message: string };

/** Accept `[...]`, `{"models": [...]}` or any object holding one array. */
function recordsOf(body: unknown): IModelRecord[] {
  if (Array.isArray(body)) {
    return body as IModelRecord[];
  }
  if (body && typeof body === 'object') {
    const arrays = Object.values(body as object).filter(Array.isArray);
    if (arrays.length > 0) {
      return arrays[0] as IModelRecord[];
    }
  }
  return [];
}

function scalarRows(record: IModelRecord): Array<[string, string]> {
  return Object.entries(record)
    .filter(([key, value]) => key !== 'name' && (value === null || typeof value !== 'object'))
    .map(([key, value]) => [key, formatAny(value)]);
}

export function RemoteRecords({ model, path, feature }: IProps): JSX.Element {
  const [load, setLoad] = React.useState<Load>({ kind: 'loading' });

  const fetchRecords = React.useCallback(async () => {
    try {
      const body = await requestAPI<unknown>(path);
      setLoad({ kind: 'ok', records: recordsOf(body) });
    } catch (error) {
      if (error instanceof MlopsApiError && error.status === 404) {
        setLoad({ kind: 'not-available' });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        setLoad({ kind: 'error', message });
        model.reportError(error, `Loading ${feature.toLowerCase()} failed`);
      }
    }
  }, [path, feature, model]);

  React.useEffect(() => {
    void fetchRecords();
  }, [fetchRecords]);

  const refresh = (
    <button className="jp-mlops-button" onClick={() => void fetchRecords()}>
      Refresh
    </button>
  );

  switch (load.kind) {
    case 'loading':
      return <p className="jp-mlops-muted">Loading {feature.toLowerCase()}…</p>;
    case 'not-available':
      return <NotAvailable feature={feature} />;
    case 'error':
      return (
        <Message title={`Could not load ${feature.toLowerCase()}`} kind="error">
          <p>{load.message}</p>
          {refresh}
        </Message>
      );
  }
  if (load.records.length === 0) {
    return (
      <Message title={`No ${feature.toLowerCase()} yet`}>
        <p>Nothing has been recorded here yet.</p>
        {refresh}
      </Message>
    );
  }
  return (
    <div className="jp-mlops-records">
      <div className="jp-mlops-toolbar">{refresh}</div>
      {load.records.map((record, i) => {
        const name = formatAny(record.name ?? `#${i + 1}`);
        return (
          <article key={`${name}-${i}`} className="jp-mlops-record" aria-label={name}>
            <h4>{name}</h4>
            <KeyValueTable rows={scalarRows(record)} label={`${feature}: ${name}`} />
          </article>
        );
      })}
    </div>
  );
}
