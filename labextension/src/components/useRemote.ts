/**
 * Load one GET route for a tab and refresh it on an interval while the panel
 * is visible. A 404 is its own state: the registry and monitoring routes of
 * an older server answer 404 (`not_available`), which the tabs show as
 * "not available yet" rather than as an error.
 */
import * as React from 'react';

import { MlopsModel } from '../model';
import { MlopsApiError, QueryParams, requestAPI } from '../requestAPI';

export type Remote<T> =
  | { kind: 'loading' }
  | { kind: 'ok'; data: T }
  | { kind: 'not-available' }
  | { kind: 'error'; message: string };

export function useRemote<T>(
  model: MlopsModel,
  path: string,
  what: string,
  intervalMs: number,
  query?: QueryParams
): [Remote<T>, () => void] {
  const [state, setState] = React.useState<Remote<T>>({ kind: 'loading' });

  const load = React.useCallback(async () => {
    try {
      const data = await requestAPI<T>(path, {}, query);
      setState({ kind: 'ok', data });
    } catch (error) {
      if (error instanceof MlopsApiError && error.status === 404) {
        setState({ kind: 'not-available' });
      } else {
        setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
        model.reportError(error, `Loading ${what} failed`);
      }
    }
    // `query` is compared by value: callers pass literals.
  }, [model, path, what, JSON.stringify(query ?? null)]);

  React.useEffect(() => {
    void load();
    const timer = window.setInterval(() => model.active && void load(), intervalMs);
    return () => window.clearInterval(timer);
  }, [load, intervalMs]);

  return [state, () => void load()];
}
