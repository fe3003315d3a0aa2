/**
 * State of the side panel: the project tree, the current iteration query, a
 * sparse window over the (possibly huge) result list, the compare selection,
 * and the poll that keeps all of it fresh while the panel is visible.
 *
 * The panel's components only read from here and call its methods, so one
 * place decides what the list loads and when; the main-area views use the
 * per-iteration calls of api.ts.
 */
import { Notification } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';

import { PagedIterations } from './pagedList';
import { MlopsApiError, requestAPI } from './requestAPI';
import {
  IExperiment,
  IExperimentList,
  IIterationPage,
  IIterationQuery,
  IIterationSummary,
  IProject,
  IProjectList
} from './tokens';

/** `missing`: the server extension answers 404 (not installed or not enabled). */
export type ConnectionState = 'loading' | 'ok' | 'missing' | 'error';

/** New iterations must show up within 2 s, so poll a bit faster than that. */
export const POLL_INTERVAL_MS = 1000;
/** Projects and experiments change rarely: refresh them every few ticks. */
const TREE_EVERY_TICKS = 5;

export const DEFAULT_QUERY: IIterationQuery = {
  projectId: null,
  experimentId: null,
  statuses: [],
  text: '',
  filters: [],
  sort: '-started_at',
  deletedOnly: false
};

export class MlopsModel {
  constructor() {
    this._query = { ...DEFAULT_QUERY };
    this._list = new PagedIterations(
      (limit, cursor) =>
        requestAPI<IIterationPage>('iterations', {}, this._queryParams(limit, cursor)),
      () => {
        this._lastReported = '';
        this._rowsChanged.emit();
      },
      error => this.reportError(error, 'Loading iterations failed')
    );
  }

  /** Emitted when the tree, the connection state or the query changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when rows of the iteration list were loaded or replaced. */
  get rowsChanged(): ISignal<this, void> {
    return this._rowsChanged;
  }

  /** Emitted when the compare selection changes. */
  get selectionChanged(): ISignal<this, void> {
    return this._selectionChanged;
  }

  /** Emitted with an iteration id after it was renamed, tagged, deleted... */
  get iterationChanged(): ISignal<this, number> {
    return this._iterationChanged;
  }

  get state(): ConnectionState {
    return this._state;
  }
  get errorMessage(): string {
    return this._errorMessage;
  }
  get projects(): readonly IProject[] {
    return this._projects;
  }
  get experiments(): readonly IExperiment[] {
    return this._experiments;
  }
  get query(): Readonly<IIterationQuery> {
    return this._query;
  }
  /** Total matching iterations as counted by the server. */
  get total(): number {
    return this._list.total;
  }
  get metricKeys(): readonly string[] {
    return this._list.metricKeys;
  }
  get paramKeys(): readonly string[] {
    return this._list.paramKeys;
  }
  /** True once the first page of the current query has arrived. */
  get listLoaded(): boolean {
    return this._list.loaded;
  }

  /** The metric shown in each row: the sorted one, else the chosen one. */
  get keyMetric(): string | null {
    const sortKey = this._query.sort.replace(/^-/, '');
    if (sortKey.startsWith('metrics.')) {
      return sortKey.slice('metrics.'.length);
    }
    const keys = this._list.metricKeys;
    if (this._keyMetric && keys.includes(this._keyMetric)) {
      return this._keyMetric;
    }
    return keys[0] ?? null;
  }

  setKeyMetric(key: string | null): void {
    this._keyMetric = key;
    this._rowsChanged.emit();
  }

  /** The row at `index`, or undefined while its page is not loaded. */
  rowAt(index: number): IIterationSummary | undefined {
    return this._list.rowAt(index);
  }

  /** Make sure rows [start, end) are loaded or being loaded. */
  ensureRange(start: number, end: number): void {
    this._list.ensureRange(start, end);
  }

  /** Whether the panel is shown (it only polls then). */
  get active(): boolean {
    return this._active && !document.hidden;
  }

  /** Start (or stop) polling; the panel calls this when shown or hidden. */
  setActive(active: boolean): void {
    if (active === this._active) {
      return;
    }
    this._active = active;
    if (active) {
      void this._tick();
    } else if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** Replace parts of the query and reload the list from its first page. */
  setQuery(patch: Partial<IIterationQuery>): void {
    this._query = { ...this._query, ...patch };
    this._list.reset();
    this._changed.emit();
    void this._list.refreshHead();
  }

  /** Reload everything now (the refresh button, and the first show). */
  async refresh(): Promise<void> {
    await this._refreshTree();
    if (this._state === 'ok') {
      await this._list.refreshHead();
    }
  }

  // ---- compare selection ------------------------------------------------

  isSelected(id: number): boolean {
    return this._selected.has(id);
  }

  get selected(): IIterationSummary[] {
    return Array.from(this._selected.values());
  }

  toggleSelected(row: IIterationSummary): void {
    if (this._selected.has(row.id)) {
      this._selected.delete(row.id);
    } else {
      this._selected.set(row.id, row);
    }
    this._selectionChanged.emit();
  }

  clearSelection(): void {
    this._selected.clear();
    this._selectionChanged.emit();
  }

  /** Called by views after a successful PATCH/DELETE/restore. */
  notifyIterationChanged(id: number): void {
    this._iterationChanged.emit(id);
    void this._list.refreshHead();
  }

  /**
   * Show an API failure as a JupyterLab notification. The same message is
   * shown once until a request succeeds again, so a failing poll does not
   * flood the notification center every second. A failed user action
   * (`always`) is shown every time: the user is waiting for an answer.
   */
  reportError(error: unknown, context: string, always = false): void {
    const message =
      error instanceof MlopsApiError || error instanceof Error ? error.message : String(error);
    const text = `${context}: ${message}`;
    if (always || text !== this._lastReported) {
      this._lastReported = text;
      Notification.error(text, { autoClose: 8000 });
    }
  }

  dispose(): void {
    this.setActive(false);
    Signal.clearData(this);
  }

  // ---- loading ----------------------------------------------------------

  private _queryParams(limit: number, cursor: string | null) {
    const q = this._query;
    return {
      project_id: q.projectId ?? undefined,
      experiment_id: q.experimentId ?? undefined,
      status: q.statuses,
      q: q.text.trim(),
      filter: q.filters,
      sort: q.sort,
      deleted_only: q.deletedOnly ? 'true' : undefined,
      limit,
      cursor: cursor ?? undefined
    };
  }

  private async _tick(): Promise<void> {
    this._timer = null;
    if (!this._active) {
      return;
    }
    if (!document.hidden) {
      if (this._state !== 'ok' || this._ticks % TREE_EVERY_TICKS === 0) {
        await this._refreshTree();
      }
      if (this._state === 'ok') {
        await this._list.refreshHead();
      }
      this._ticks++;
    }
    // The extension will not appear without a server restart: stop asking.
    if (this._active && this._state !== 'missing' && this._timer === null) {
      this._timer = window.setTimeout(() => void this._tick(), POLL_INTERVAL_MS);
    }
  }

  private async _refreshTree(): Promise<void> {
    try {
      const [projects, experiments] = await Promise.all([
        requestAPI<IProjectList>('projects'),
        requestAPI<IExperimentList>('experiments')
      ]);
      const before = JSON.stringify([this._projects, this._experiments, this._state]);
      this._projects = projects.projects;
      this._experiments = experiments.experiments;
      this._state = 'ok';
      this._lastReported = '';
      if (JSON.stringify([this._projects, this._experiments, this._state]) !== before) {
        this._changed.emit();
      }
    } catch (error) {
      const missing = error instanceof MlopsApiError && error.status === 404;
      const state: ConnectionState = missing ? 'missing' : 'error';
      const message = error instanceof Error ? error.message : String(error);
      if (state !== this._state || message !== this._errorMessage) {
        this._state = state;
        this._errorMessage = message;
        this._changed.emit();
      }
      if (!missing) {
        this.reportError(error, 'Loading projects failed');
      }
    }
  }

  private _state: ConnectionState = 'loading';
  private _errorMessage = '';
  private _projects: IProject[] = [];
  private _experiments: IExperiment[] = [];
  private _query: IIterationQuery;
  private _keyMetric: string | null = null;
  private _list: PagedIterations;
  private _selected = new Map<number, IIterationSummary>();
  private _active = false;
  private _timer: number | null = null;
  private _ticks = 0;
  private _lastReported = '';
  private _changed = new Signal<this, void>(this);
  private _rowsChanged = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, void>(this);
  private _iterationChanged = new Signal<this, number>(this);
}
