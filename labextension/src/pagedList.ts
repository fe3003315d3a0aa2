/**
 * A window over a server-paged, cursor-based list of iterations.
 *
 * The API pages with an opaque cursor, so rows can only be loaded in order:
 * the loaded rows are always a prefix of the list. The head is re-read on
 * every poll; pages behind it are read when the view scrolls to them.
 * `generation` invalidates requests in flight whenever positions move (a new
 * query, or rows inserted somewhere other than the front).
 */
import { IIterationPage, IIterationSummary } from './tokens';

/** Rows fetched per request while scrolling; the API allows up to 500. */
export const PAGE_SIZE = 100;
const MAX_LIMIT = 500;

export type FetchPage = (limit: number, cursor: string | null) => Promise<IIterationPage>;

export class PagedIterations {
  constructor(
    private _fetch: FetchPage,
    private _onChange: () => void,
    private _onError: (error: unknown) => void
  ) {}

  /** Total matching iterations as counted by the server. */
  get total(): number {
    return this._total;
  }
  /** True once the head of the current query has arrived. */
  get loaded(): boolean {
    return this._loaded;
  }
  get metricKeys(): string[] {
    return this._metricKeys;
  }
  get paramKeys(): string[] {
    return this._paramKeys;
  }

  /** The row at `index`, or undefined while its page is not loaded. */
  rowAt(index: number): IIterationSummary | undefined {
    return this._rows[index];
  }

  /** Forget everything (the query changed). */
  reset(): void {
    this._generation++;
    this._setRows([]);
    this._signature = '';
    this._nextCursor = null;
    this._total = 0;
    this._loaded = false;
    this._onChange();
  }

  /** Make sure rows [start, end) are loaded or being loaded. */
  ensureRange(start: number, end: number): void {
    this._visibleEnd = Math.max(end, 0);
    void this._loadUntil(Math.min(end, this._total || end));
  }

  /**
   * Re-read the head of the list: this is how new iterations and status
   * changes show up. When the head did not change nothing is re-rendered.
   * When iterations were only added in front (the usual case: newest first),
   * the rows already loaded are kept behind the new ones; otherwise rows past
   * the head are dropped and re-read as the view needs them.
   */
  async refreshHead(): Promise<void> {
    const generation = this._generation;
    const wanted = Math.ceil(this._visibleEnd / PAGE_SIZE) * PAGE_SIZE;
    const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, wanted));
    let page: IIterationPage;
    try {
      page = await this._fetch(limit, null);
    } catch (error) {
      if (generation === this._generation) {
        this._onError(error);
      }
      return;
    }
    if (generation !== this._generation) {
      return; // the query changed while this request was in flight
    }
    const signature = JSON.stringify([page.total, page.iterations, page.metric_keys, page.param_keys]);
    if (signature === this._signature && this._loaded) {
      return;
    }
    this._signature = signature;

    const head = page.iterations;
    const added = page.total - this._total;
    const prepended =
      this._loaded &&
      added >= 0 &&
      added < head.length &&
      this._rows.length + added > head.length &&
      head[added].id === this._rows[0]?.id;
    if (prepended) {
      // Keep the loaded tail. The cursor we hold now points `added` rows too
      // early; the duplicates it returns are skipped by id.
      this._setRows(head.concat(this._rows.slice(head.length - added)));
    } else {
      this._generation++; // drop in-flight tail loads: their positions moved
      this._setRows(head);
      this._nextCursor = page.next_cursor;
    }
    this._total = page.total;
    this._metricKeys = page.metric_keys ?? [];
    this._paramKeys = page.param_keys ?? [];
    this._loaded = true;
    this._onChange();
    void this._loadUntil(Math.min(this._visibleEnd, this._total));
  }

  private _setRows(rows: IIterationSummary[]): void {
    this._rows = rows;
    this._ids = new Set(rows.map(r => r.id));
  }

  /** Walk the cursor until `end` rows are loaded (one walk per generation). */
  private async _loadUntil(end: number): Promise<void> {
    if (!this._loaded || this._walking === this._generation) {
      return;
    }
    const generation = this._generation;
    this._walking = generation;
    try {
      while (this._rows.length < end && this._nextCursor && generation === this._generation) {
        const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, end - this._rows.length));
        const page = await this._fetch(limit, this._nextCursor);
        if (generation !== this._generation) {
          return;
        }
        const fresh = page.iterations.filter(r => !this._ids.has(r.id));
        fresh.forEach(r => this._ids.add(r.id));
        this._rows = this._rows.concat(fresh);
        this._nextCursor = page.next_cursor;
        this._total = Math.max(page.total, this._rows.length);
        this._onChange();
      }
    } catch (error) {
      if (generation === this._generation) {
        this._onError(error);
      }
      return;
    } finally {
      if (this._walking === generation) {
        this._walking = -1;
      }
    }
    // The view may have scrolled further while this walk was loading.
    const target = Math.min(this._visibleEnd, this._total);
    if (generation === this._generation && this._rows.length < target && this._nextCursor) {
      void this._loadUntil(target);
    }
  }

  private _rows: IIterationSummary[] = [];
  private _ids = new Set<number>();
  private _nextCursor: string | null = null;
  private _total = 0;
  private _metricKeys: string[] = [];
  private _paramKeys: string[] = [];
  private _loaded = false;
  private _generation = 0;
  private _walking = -1;
  private _signature = '';
  private _visibleEnd = PAGE_SIZE;
}
